namespace Osv.ImageBuilder.Kernel;

// The shape of osv-kernel.yaml: KernelDescriptionReader fills it and KernelDescriptionWriter writes it. Values stay strings or
// nullable where the loader checks them itself, so that a bad value gets a message naming the key.
internal sealed class KernelBundleDescription
{
    public int? FormatVersion { get; set; }

    public string? Name { get; set; }

    public string? OsvVersion { get; set; }

    public string? Architecture { get; set; }

    public int? Machine { get; set; }

    public List<string>? AcceptedElfTypes { get; set; }

    public AddressRange? KernelAddress { get; set; }

    public string? BootImage { get; set; }

    public string? KernelElf { get; set; }

    public CommandLineArea? CommandLine { get; set; }

    public List<string>? Filesystems { get; set; }

    public ZfsLayout? Zfs { get; set; }

    public List<string>? ProvidedSonames { get; set; }

    public string? ExportedSymbols { get; set; }

    public List<string>? Headers { get; set; }

    public List<BaseFile>? BaseFiles { get; set; }

    internal sealed class AddressRange
    {
        public string? Start { get; set; }

        public string? End { get; set; }
    }

    internal sealed class CommandLineArea
    {
        public long? Offset { get; set; }

        public long? MaxBytes { get; set; }
    }

    internal sealed class ZfsLayout
    {
        public string? Pool { get; set; }

        public string? RootDataset { get; set; }
    }

    internal sealed class BaseFile
    {
        public string? Guest { get; set; }

        public string? Host { get; set; }

        public string? Content { get; set; }

        public string? Link { get; set; }

        public bool? Directory { get; set; }

        public List<string>? Filesystems { get; set; }
    }
}
