using Osv.Sdk.Tasks.Diagnostics;

namespace Osv.Sdk.Tests.Compilation;

public sealed class GccOutputParserTests
{
    [Fact]
    public void Parse_CompilerError()
    {
        GccMessage message = GccOutputParser.Parse("/src/main.c:3:12: error: expected ';' before '}' token");

        Assert.Equal(GccMessageKind.Error, message.Kind);
        Assert.Equal("/src/main.c", message.File);
        Assert.Equal(3, message.Line);
        Assert.Equal(12, message.Column);
        Assert.Equal("expected ';' before '}' token", message.Text);
        Assert.Null(message.Option);
        Assert.False(message.FromLinker);
    }

    [Fact]
    public void Parse_FatalErrorWithoutColumn()
    {
        GccMessage message = GccOutputParser.Parse("main.c:2: fatal error: missing.h: No such file or directory");

        Assert.Equal(GccMessageKind.Error, message.Kind);
        Assert.Equal(2, message.Line);
        Assert.Equal(0, message.Column);
        Assert.Equal("missing.h: No such file or directory", message.Text);
    }

    [Fact]
    public void Parse_WarningWithOption()
    {
        GccMessage message = GccOutputParser.Parse("other.c:1:23: warning: unused variable 'unused' [-Wunused-variable]");

        Assert.Equal(GccMessageKind.Warning, message.Kind);
        Assert.Equal("-Wunused-variable", message.Option);
        Assert.Equal("unused variable 'unused'", message.Text);
    }

    [Fact]
    public void Parse_WarningPromotedToError()
    {
        GccMessage message = GccOutputParser.Parse("a.c:4:5: error: unused variable 'x' [-Werror=unused-variable]");

        Assert.Equal(GccMessageKind.Error, message.Kind);
        Assert.Equal("-Werror=unused-variable", message.Option);
    }

    [Fact]
    public void Parse_Note()
    {
        GccMessage message = GccOutputParser.Parse("a.h:7:6: note: previous declaration of 'f' with type 'void(void)'");

        Assert.Equal(GccMessageKind.Note, message.Kind);
        Assert.Equal("a.h", message.File);
        Assert.Equal(7, message.Line);
    }

    [Theory]
    [InlineData("main.c: In function 'main':")]
    [InlineData("main.cpp: In member function 'void Greeter::run()':")]
    [InlineData("In file included from main.c:2:")]
    [InlineData("                 from main.c:2,")]
    [InlineData("main.c: At top level:")]
    public void Parse_ContextLine(string line)
    {
        Assert.Equal(GccMessageKind.Context, GccOutputParser.Parse(line).Kind);
    }

    [Fact]
    public void Parse_LinkerFunctionContext()
    {
        GccMessage message = GccOutputParser.Parse("/usr/bin/ld: /obj/main.c.o: in function `main':");

        Assert.Equal(GccMessageKind.Context, message.Kind);
        Assert.True(message.FromLinker);
    }

    [Fact]
    public void Parse_UndefinedReferenceWithLine()
    {
        GccMessage message = GccOutputParser.Parse("/src/other.c:2: undefined reference to `foo'");

        Assert.Equal(GccMessageKind.Error, message.Kind);
        Assert.True(message.FromLinker);
        Assert.Equal("/src/other.c", message.File);
        Assert.Equal(2, message.Line);
        Assert.Equal("undefined reference to `foo'", message.Text);
    }

    [Fact]
    public void Parse_UndefinedReferenceWithSection()
    {
        GccMessage message = GccOutputParser.Parse("main.c:(.text+0x1a): undefined reference to `bar'");

        Assert.Equal(GccMessageKind.Error, message.Kind);
        Assert.True(message.FromLinker);
        Assert.Equal("main.c", message.File);
        Assert.Equal(0, message.Line);
    }

    [Fact]
    public void Parse_LinkerMissingLibrary()
    {
        GccMessage message = GccOutputParser.Parse("/usr/bin/ld: cannot find -lnosuch: No such file or directory");

        Assert.Equal(GccMessageKind.Error, message.Kind);
        Assert.True(message.FromLinker);
        Assert.Null(message.File);
        Assert.Equal("cannot find -lnosuch: No such file or directory", message.Text);
    }

    [Fact]
    public void Parse_LinkerWarning()
    {
        GccMessage message = GccOutputParser.Parse("/usr/bin/ld: warning: creating DT_TEXTREL in a shared object");

        Assert.Equal(GccMessageKind.Warning, message.Kind);
        Assert.True(message.FromLinker);
        Assert.Equal("creating DT_TEXTREL in a shared object", message.Text);
    }

    [Fact]
    public void Parse_Collect2Summary()
    {
        GccMessage message = GccOutputParser.Parse("collect2: error: ld returned 1 exit status");

        Assert.Equal(GccMessageKind.Summary, message.Kind);
        Assert.True(message.FromLinker);
    }

    [Fact]
    public void Parse_DriverError()
    {
        GccMessage message = GccOutputParser.Parse("gcc: error: missing.c: No such file or directory");

        Assert.Equal(GccMessageKind.Error, message.Kind);
        Assert.Null(message.File);
        Assert.False(message.FromLinker);
        Assert.Equal("missing.c: No such file or directory", message.Text);
    }

    [Fact]
    public void Parse_DriverWarningWithOption()
    {
        GccMessage message = GccOutputParser.Parse("cc1: warning: command-line option '-std=gnu++17' is valid for C++ but not for C");

        Assert.Equal(GccMessageKind.Warning, message.Kind);
        Assert.Null(message.File);
    }

    [Theory]
    [InlineData("compilation terminated.")]
    [InlineData("cc1: all warnings being treated as errors")]
    public void Parse_ClosingLine(string line)
    {
        Assert.Equal(GccMessageKind.Summary, GccOutputParser.Parse(line).Kind);
    }

    [Fact]
    public void Parse_PlainLine()
    {
        GccMessage message = GccOutputParser.Parse("    3 |   return x");

        Assert.Equal(GccMessageKind.Other, message.Kind);
        Assert.Equal("    3 |   return x", message.Text);
    }
}
