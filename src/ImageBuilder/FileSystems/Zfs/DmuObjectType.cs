namespace Osv.ImageBuilder.FileSystems.Zfs;

/// <summary>
/// The DMU object types this writer creates or the reader meets (dmu_object_type_t in OpenZFS's sys/dmu.h;
/// the numbers are on-disk values).
/// </summary>
internal enum DmuObjectType : byte
{
    None = 0,
    ObjectDirectory = 1,
    ObjectArray = 2,
    PackedNvList = 3,
    PackedNvListSize = 4,
    BpObject = 5,
    BpObjectHeader = 6,
    SpaceMapHeader = 7,
    SpaceMap = 8,
    Dnode = 10,
    Objset = 11,
    DslDir = 12,
    DslDirChildMap = 13,
    DslDatasetSnapshotMap = 14,
    DslProps = 15,
    DslDataset = 16,
    PlainFileContents = 19,
    DirectoryContents = 20,
    MasterNode = 21,
    UnlinkedSet = 22,
    PoolProps = 31,
    NextClones = 37,
    SystemAttributes = 44,
    SystemAttributeMasterNode = 45,
    SystemAttributeRegistration = 46,
    SystemAttributeLayouts = 47,
    Deadlist = 50,
    DeadlistHeader = 51,
    DslClones = 52,

    /// <summary>
    /// DMU_OTN_ZAP_METADATA (196): a "new type" (bit 0x80) that is metadata (bit 0x40) byte-swapped as a ZAP (4), used for the
    /// feature ZAPs. OSv's ZFS port supports this encoding.
    /// </summary>
    ZapMetadata = 0x80 | 0x40 | 0x04,
}
