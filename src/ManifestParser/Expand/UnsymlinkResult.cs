namespace Osv.Manifests.Expand;

/// <summary>The outcome of OSv's <c>unsymlink</c> rule for one host path.</summary>
/// <param name="Path">The path the rule ends at: not a link, or a link whose absolute target exists nowhere.</param>
/// <param name="Chain">Each link followed with its target, as <c>link -&gt; target</c>, in order.</param>
/// <param name="IsLoop">Whether the rule stopped because the links run in a loop.</param>
/// <param name="IsDanglingAbsolute">Whether <paramref name="Path"/> is a link whose absolute target was found under no ancestor.</param>
internal sealed record UnsymlinkResult(string Path, IReadOnlyList<string> Chain, bool IsLoop, bool IsDanglingAbsolute);
