namespace Osv.ImageBuilder.Run;

/// <summary>How qemu executes the guest's instructions.</summary>
public enum QemuAccelerator
{
    /// <summary>KVM when <see cref="KvmProbe"/> finds it usable, otherwise TCG.</summary>
    Auto,

    /// <summary>Hardware virtualisation through /dev/kvm.</summary>
    Kvm,

    /// <summary>qemu's software emulation (the Tiny Code Generator): slow but available everywhere.</summary>
    Tcg,
}
