namespace Osv.ImageBuilder;

/// <summary>
/// Thrown by the image readers when the bytes being read are not a valid image: truncated, a count or
/// offset out of bounds, a loop in a directory table. The message names the structure, the offset and
/// the value found, so that front ends can print it as it is.
/// </summary>
public sealed class InvalidImageException : Exception
{
    /// <summary>Creates the exception with a message that says what is wrong and where.</summary>
    public InvalidImageException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the error that revealed the problem.</summary>
    public InvalidImageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with a generic message.</summary>
    public InvalidImageException()
        : base("The image is invalid.")
    {
    }
}
