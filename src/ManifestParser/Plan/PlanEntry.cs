namespace Osv.Plan;

/// <summary>
/// One expanded manifest entry in file order. bootfs writes these in order, duplicates included,
/// as OSv's mkbootfs.py does, while ROFS and ZFS write the tree.
/// </summary>
/// <param name="GuestPath">The normalised guest path of the entry.</param>
/// <param name="Node">The node the entry created or replaced.</param>
public sealed record PlanEntry(string GuestPath, GuestNode Node);
