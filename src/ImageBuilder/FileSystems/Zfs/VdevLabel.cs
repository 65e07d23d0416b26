namespace Osv.ImageBuilder.FileSystems.Zfs;

/// <summary>
/// One vdev label (vdev_label_t, 256 KiB): 16 KiB of padding and boot header, the packed config nvlist with
/// its embedded checksum, and the uberblock ring. All four labels carry the same content; only the
/// checksums differ because their verifier is the region's offset.
/// </summary>
internal static class VdevLabel
{
    /// <summary>The offset of the config nvlist region in a label (after vl_pad1 and vl_pad2 / boot header).</summary>
    public const int NvListOffset = 16 * 1024;

    /// <summary>The size of the config region (VDEV_PHYS_SIZE), trailer included.</summary>
    public const int NvListRegionSize = 112 * 1024;

    /// <summary>The offset of the uberblock ring in a label.</summary>
    public const int UberblockRingOffset = 128 * 1024;

    /// <summary>The size of the uberblock ring (VDEV_UBERBLOCK_RING).</summary>
    public const int UberblockRingSize = 128 * 1024;

    /// <summary>The largest packed nvlist that fits the config region.</summary>
    public const int MaxNvListSize = NvListRegionSize - EmbeddedChecksum.TrailerSize;

    /// <summary>Gets the size of one uberblock slot: the larger of 1 KiB and the sector size.</summary>
    public static int UberblockSlotSize(int ashift) => 1 << Math.Max(ashift, Uberblock.MinSlotShift);

    /// <summary>
    /// Writes all four labels. Every slot of every ring gets the same uberblock, so a reader finds it
    /// whatever slot it looks at first, and the output is reproducible.
    /// </summary>
    /// <exception cref="InvalidOperationException">The packed config does not fit the label.</exception>
    public static void WriteAll(Stream destination, PoolGeometry geometry, byte[] packedConfig, Uberblock uberblock)
    {
        if (packedConfig.Length > MaxNvListSize)
        {
            throw new InvalidOperationException($"The packed pool config is {packedConfig.Length} bytes, more than the {MaxNvListSize} bytes a label has room for.");
        }

        int slotSize = UberblockSlotSize(geometry.Ashift);
        var label = new byte[PoolGeometry.LabelSize];
        for (int index = 0; index < PoolGeometry.LabelCount; index++)
        {
            long labelOffset = geometry.LabelOffset(index);
            Array.Clear(label);

            // The config region, sealed with its absolute offset.
            Span<byte> configRegion = label.AsSpan(NvListOffset, NvListRegionSize);
            packedConfig.CopyTo(configRegion);
            EmbeddedChecksum.Seal(configRegion, labelOffset + NvListOffset);

            // The uberblock ring: one sealed copy per slot.
            for (int slot = 0; slot < UberblockRingSize / slotSize; slot++)
            {
                int slotOffset = UberblockRingOffset + (slot * slotSize);
                Span<byte> slotRegion = label.AsSpan(slotOffset, slotSize);
                uberblock.Write(slotRegion);
                EmbeddedChecksum.Seal(slotRegion, labelOffset + slotOffset);
            }

            destination.Position = labelOffset;
            destination.Write(label);
        }
    }
}
