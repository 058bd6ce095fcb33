/// Every opcode of pickle protocols 0 to 5, so an error can name the one it refuses.
///
/// The cases are spelled so that ``name`` gives Python's own opcode names
/// (`shortBinunicode` -> `SHORT_BINUNICODE`, as `pickletools` prints them).
enum PickleOpcode: UInt8 {
    case mark = 0x28, stop = 0x2e, pop = 0x30, popMark = 0x31, dup = 0x32
    case float = 0x46, int = 0x49, binint = 0x4a, binint1 = 0x4b, long = 0x4c, binint2 = 0x4d
    case none = 0x4e, persid = 0x50, binpersid = 0x51, reduce = 0x52
    case string = 0x53, binstring = 0x54, shortBinstring = 0x55, unicode = 0x56, binunicode = 0x58
    case append = 0x61, build = 0x62, global = 0x63, dict = 0x64, emptyDict = 0x7d, appends = 0x65
    case get = 0x67, binget = 0x68, inst = 0x69, longBinget = 0x6a, list = 0x6c, emptyList = 0x5d
    case obj = 0x6f, put = 0x70, binput = 0x71, longBinput = 0x72, setitem = 0x73, tuple = 0x74
    case emptyTuple = 0x29, setitems = 0x75, binfloat = 0x47
    // Protocol 2.
    case proto = 0x80, newobj = 0x81, ext1 = 0x82, ext2 = 0x83, ext4 = 0x84
    case tuple1 = 0x85, tuple2 = 0x86, tuple3 = 0x87, newtrue = 0x88, newfalse = 0x89
    case long1 = 0x8a, long4 = 0x8b
    // Protocol 3.
    case binbytes = 0x42, shortBinbytes = 0x43
    // Protocol 4.
    case shortBinunicode = 0x8c, binunicode8 = 0x8d, binbytes8 = 0x8e, emptySet = 0x8f
    case additems = 0x90, frozenset = 0x91, newobjEx = 0x92, stackGlobal = 0x93, memoize = 0x94, frame = 0x95
    // Protocol 5.
    case bytearray8 = 0x96, nextBuffer = 0x97, readonlyBuffer = 0x98

    /// Python's name for the opcode (`BINUNICODE`, `STACK_GLOBAL`).
    var name: String {
        var name = ""
        for character in String(describing: self) {
            if character.isUppercase { name.append("_") }
            name.append(contentsOf: character.uppercased())
        }
        return name
    }
}
