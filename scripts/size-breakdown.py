#!/usr/bin/env python3
"""size-breakdown.py: where the bytes of the NativeAOT executable go, by assembly.

    scripts/size-breakdown.py MAP_XML ILC_RSP [--top N]

Reads the map file ILC writes with -p:IlcGenerateMapFile=true (scripts/build.sh --size-report
passes it) and the compiler's response file beside it, which lists every input assembly. Each
node of the map (a method's code, its GC and unwind info, a type's method table, a generic
dictionary, static data) is credited to one assembly: the assembly whose mangled name prefixes the
node's name, except that an instantiation over a type of a non-framework assembly
(List<Azure...Model>) is credited to that assembly, since removing it would remove the node too.
Whole-image blobs (metadata, frozen objects, stack-trace tables) are listed on their own.
Figures are bytes before linking; the file also holds ELF and unwind sections.
"""

import argparse
import collections
import os
import re

IMAGE_WIDE = {"Metadata", "DehydratedData", "ArrayOfFrozenObjects", "StackTraceMethodMapping",
              "ResourceData", "ResourceIndex", "InterfaceDispatchCellSection",
              "ExternalReferencesTable", "GenericTypesHashtable", "GenericMethodsHashtable",
              "TypeMetadataMap", "NativeLayoutInfo", "StaticsInfoHashtable"}
CODE = {"MethodCode", "GCInfo", "MethodReadOnlyData", "MethodExceptionHandlingInfo"}
NODE = re.compile(r'<(\w+) Name="([^"]*)" Length="(\d+)"')
DECORATION = re.compile(r"^(?:_ZTV\d+|__GenericDict_|__readonlydata_|__writableData|__ehinfo_|"
                        r"__InterfaceDispatchMap_|__GetNonGCStaticBase_|__GetGCStaticBase_|"
                        r"__GCSTATICS|__NONGCSTATICS|__THREADSTATICS|Boxed_|&lt;Boxed&gt;)+")


def mangled(assembly):
    """ILC's prefix for an assembly: System.Private.X is S_P_X; dots and dashes become underscores."""
    if assembly.startswith("System.Private."):
        assembly = "S_P_" + assembly[len("System.Private."):]
    return re.sub(r"[^A-Za-z0-9_]", "_", assembly)


def assemblies(rsp):
    names = []
    with open(rsp, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            path = line[3:] if line.startswith("-r:") else line if line.endswith(".dll") else None
            if path:
                names.append(os.path.splitext(os.path.basename(path))[0])
    return names


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("map_xml")
    parser.add_argument("ilc_rsp")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()

    known = sorted(((mangled(a), a) for a in assemblies(args.ilc_rsp)), key=lambda p: -len(p[0]))
    framework = lambda a: a.startswith(("System", "Microsoft.Win32", "mscorlib", "netstandard"))

    def owner(name):
        name = DECORATION.sub("", name)
        definition = next((a for prefix, a in known if name.startswith(prefix + "_")), "(runtime)")
        if "&lt;" in name:
            for argument in re.split(r"&lt;|&gt;|__|,", name)[1:]:
                argument = DECORATION.sub("", argument)
                found = next((a for prefix, a in known if argument.startswith(prefix + "_")), None)
                if found and not framework(found):
                    return found
        return definition

    code = collections.Counter()
    data = collections.Counter()
    whole = collections.Counter()
    with open(args.map_xml, encoding="utf-8") as f:
        for line in f:
            m = NODE.search(line)
            if not m:
                continue
            kind, name, length = m.group(1), m.group(2), int(m.group(3))
            if kind in IMAGE_WIDE:
                whole[kind] += length
            elif kind in CODE:
                code[owner(name)] += length
            else:
                data[owner(name)] += length

    total = sum(code.values()) + sum(data.values()) + sum(whole.values())
    mib = lambda b: f"{b / 1048576:6.2f}"
    print(f"{'assembly':44} {'code MiB':>8} {'data MiB':>8} {'total':>7} {'share':>6}")
    ranked = sorted(set(code) | set(data), key=lambda a: -(code[a] + data[a]))
    for a in ranked[:args.top]:
        both = code[a] + data[a]
        print(f"{a:44} {mib(code[a]):>8} {mib(data[a]):>8} {mib(both):>7} {100 * both / total:5.1f}%")
    rest = ranked[args.top:]
    if rest:
        both = sum(code[a] + data[a] for a in rest)
        print(f"{f'({len(rest)} more assemblies)':44} {mib(sum(code[a] for a in rest)):>8} "
              f"{mib(sum(data[a] for a in rest)):>8} {mib(both):>7} {100 * both / total:5.1f}%")
    for kind, length in whole.most_common():
        print(f"{'[image] ' + kind:44} {'':>8} {'':>8} {mib(length):>7} {100 * length / total:5.1f}%")
    print(f"{'total':44} {'':>8} {'':>8} {mib(total):>7}")


if __name__ == "__main__":
    main()
