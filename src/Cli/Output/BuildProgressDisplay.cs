using Osv.ImageBuilder.Build;
using Spectre.Console;

namespace Osv.Cli.Output;

/// <summary>
/// Shows the progress of a build on standard error: an animated display with one bar for each stage
/// on a terminal, or one plain line for each stage when the output is redirected or CI=true.
/// </summary>
internal static class BuildProgressDisplay
{
    /// <summary>Runs <paramref name="build"/> on a worker thread while progress is shown, and returns its result.</summary>
    public static async Task<T> RunAsync<T>(CliConsole console, bool quiet, Func<IProgress<BuildProgress>?, T> build)
    {
        if (quiet)
        {
            return await Task.Run(() => build(null));
        }

        if (!console.Interactive)
        {
            var plain = new PlainProgress(console.Error);
            return await Task.Run(() => build(plain));
        }

        IAnsiConsole terminal = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(console.Error) });
        return await terminal.Progress()
            .AutoClear(true)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var rich = new RichProgress(context);
                T result = await Task.Run(() => build(rich));
                rich.CompleteAll();
                return result;
            });
    }

    // One line for each stage, written when the stage starts.
    private sealed class PlainProgress(TextWriter writer) : IProgress<BuildProgress>
    {
        private readonly Lock _lock = new();
        private BuildStage? _current;

        public void Report(BuildProgress value)
        {
            lock (_lock)
            {
                if (_current == value.Stage)
                {
                    return;
                }

                _current = value.Stage;
                writer.WriteLine($"  {value.Message}");
            }
        }
    }

    // One Spectre task for each stage; a stage is complete when the next one starts.
    private sealed class RichProgress(ProgressContext context) : IProgress<BuildProgress>
    {
        private readonly Lock _lock = new();
        private readonly Dictionary<BuildStage, ProgressTask> _tasks = [];

        public void Report(BuildProgress value)
        {
            lock (_lock)
            {
                if (!_tasks.TryGetValue(value.Stage, out ProgressTask? task))
                {
                    CompleteAll();
                    task = context.AddTask(Markup.Escape(value.Message), autoStart: true, maxValue: 1);
                    task.IsIndeterminate = true;
                    _tasks.Add(value.Stage, task);
                }

                if (value.Total > 0)
                {
                    task.IsIndeterminate = false;
                    task.MaxValue = value.Total;
                    task.Value = Math.Min(value.Completed, value.Total);
                }

                context.Refresh();
            }
        }

        public void CompleteAll()
        {
            lock (_lock)
            {
                foreach (ProgressTask task in _tasks.Values.Where(t => !t.IsFinished))
                {
                    task.IsIndeterminate = false;
                    task.Value = task.MaxValue;
                    task.StopTask();
                }
            }
        }
    }
}
