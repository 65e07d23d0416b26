using Osv.Sdk.Tasks.Compilation;

namespace Osv.Sdk.Tests.Compilation;

public sealed class MakeDependencyFileTests
{
    [Fact]
    public void Parse_GccOutputWithPhonyRules()
    {
        const string Text = "/obj/main.c.o: /src/main.c include/greet.h \\\n include/other.h\ninclude/greet.h:\n\ninclude/other.h:\n";

        IReadOnlyList<string> prerequisites = MakeDependencyFile.ParsePrerequisites(Text);

        Assert.Equal(["/src/main.c", "include/greet.h", "include/other.h"], prerequisites);
    }

    [Fact]
    public void Parse_EscapedCharacters()
    {
        const string Text = "out.img: my\\ dir/a.so cost$$.txt hash\\#1.h\n";

        IReadOnlyList<string> prerequisites = MakeDependencyFile.ParsePrerequisites(Text);

        Assert.Equal(["my dir/a.so", "cost$.txt", "hash#1.h"], prerequisites);
    }

    [Fact]
    public void Parse_DuplicatesOnce()
    {
        const string Text = "a.o: x.h y.h x.h\nb.o: y.h z.h\n";

        IReadOnlyList<string> prerequisites = MakeDependencyFile.ParsePrerequisites(Text);

        Assert.Equal(["x.h", "y.h", "z.h"], prerequisites);
    }

    [Fact]
    public void Parse_WindowsLineEndings()
    {
        const string Text = "a.o: x.h \\\r\n y.h\r\n";

        IReadOnlyList<string> prerequisites = MakeDependencyFile.ParsePrerequisites(Text);

        Assert.Equal(["x.h", "y.h"], prerequisites);
    }

    [Fact]
    public void Parse_ColonInsideName()
    {
        const string Text = "image: /data/a:b.txt\n";

        IReadOnlyList<string> prerequisites = MakeDependencyFile.ParsePrerequisites(Text);

        Assert.Equal(["/data/a:b.txt"], prerequisites);
    }

    [Fact]
    public void Parse_Empty()
    {
        Assert.Empty(MakeDependencyFile.ParsePrerequisites(string.Empty));
    }
}
