namespace Osv.ImageBuilder.Assemble;

/// <summary>Thrown by a <see cref="WindowStream"/> when a write or a new length would pass its capacity.</summary>
public sealed class WindowFullException : IOException
{
    /// <summary>Creates the exception with a message that gives the sizes involved.</summary>
    public WindowFullException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the error behind it.</summary>
    public WindowFullException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with a generic message.</summary>
    public WindowFullException()
        : base("The write goes past the end of the window.")
    {
    }
}
