namespace Osv.ImageBuilder.Run;

/// <summary>The outcome of one <see cref="QemuRunner.RunAsync"/>.</summary>
/// <param name="ExitCode">qemu's exit code; 0 when the guest powered off.</param>
/// <param name="TimedOut">True when the guest was stopped because <see cref="QemuRunOptions.Timeout"/> passed.</param>
/// <param name="Cancelled">True when the caller's cancellation stopped the guest.</param>
/// <param name="Accelerator">The accelerator used, <see cref="QemuAccelerator.Kvm"/> or <see cref="QemuAccelerator.Tcg"/>.</param>
/// <param name="Arguments">The arguments qemu was started with.</param>
public sealed record QemuRunResult(int ExitCode, bool TimedOut, bool Cancelled, QemuAccelerator Accelerator, IReadOnlyList<string> Arguments);
