#!/usr/bin/env python3
"""startup-order.py: list the managed methods kubelet's verbs run, for ILC to place first and together.

    sudo scripts/startup-order.py [--driver artifacts/volume-driver] [--object OBJ] [--out eng/startup-order.txt]
                                  [--doubles dotnet tests/Simulators/bin/Release/net10.0/Simulators.dll bench-doubles]

Why: the executable's code is mapped from the file, and on a page fault Linux maps the 64 KiB
around the faulting page too (fault-around), so the peak RSS of a verb counts every 64 KiB window
of code it touches, not the bytes it runs. ILC lays methods out in its own order, which scatters a
verb's ~0.6-0.9 MiB of code over ~6.5 MiB of windows, and every method added to the executable
(the Kubernetes client and the provisioner, for example) spreads them further although no verb runs
it. ILC places the methods named in an order file (IlcOrderFile, VolumeDriver.csproj) first, in the
file's order, so kubelet's verbs touch one compact block instead.

How: it runs the verbs kubelet repeats (init, getvolumename, isattached, attach, waitforattach,
mountdevice on a blank and on a mounted device, unmountdevice, detach, delete, a parse error, a Not
supported verb) on a loop-backend volume, and with --doubles isattached against the ARM and vCD
doubles (as scripts/bench.sh does), under valgrind's lackey tool, which prints the start of
every block of code executed. The loop verbs' methods come first, then those only the cloud verbs
run. Under valgrind a verb runs ~50 times slower, so the cloud verbs run out of time (a Failure)
after their TLS, token and HTTP code: the list holds what they reached, not their whole path. Each address inside the image's managed code section is mapped to the
method symbols at that place in ILC's object file (obj/.../native/volume-driver.o, which keeps its
symbol table; the shipped file is stripped), and the methods are written one per line, in the order
they have in that build. Folded identical bodies are listed under every name they carry. A name
that no longer exists is skipped by ILC, so a stale list costs only start-up pages, never
correctness: run this again after changing what the verbs run (needs root, loop devices, valgrind).
"""

import argparse
import bisect
import json
import os
import shutil
import subprocess
import sys
import tempfile

from bench import Doubles

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
CODE_SECTION = "__managedcode"


def section(elf, name):
    """(index, address) of the named section, from readelf."""
    out = subprocess.run(["readelf", "-SW", elf], check=True, capture_output=True, text=True).stdout
    for line in out.splitlines():
        fields = line.replace("[ ", "[").split()
        if len(fields) > 3 and fields[1] == name:
            return int(fields[0].strip("[]")), int(fields[3], 16)
    sys.exit(f"startup-order: {elf} has no {name} section")


def method_symbols(obj, index):
    """Sorted (offset, size, name) of the functions in section index of the object file."""
    out = subprocess.run(["readelf", "-sW", obj], check=True, capture_output=True, text=True).stdout
    symbols = []
    for line in out.splitlines():
        fields = line.split()
        if len(fields) == 8 and fields[3] == "FUNC" and fields[6] == str(index):
            symbols.append((int(fields[1], 16), int(fields[2]), fields[7]))
    symbols.sort()
    return symbols


def executed(driver, argv, env, low, high):
    """Addresses in [low, high) where a block of code started while argv ran under lackey."""
    proc = subprocess.Popen(
        # No chasing: a block then ends at every jump and call, so every method run starts one.
        ["valgrind", "--tool=lackey", "--trace-superblocks=yes", "--vex-guest-chase=no", driver, *argv],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd="/", env=env, text=True)
    addresses = set()
    for line in proc.stderr:
        if line.startswith("SB "):
            address = int(line[3:], 16)
            if low <= address < high:
                addresses.add(address)
    reply = proc.stdout.read()
    proc.wait()
    print(f"startup-order: {argv[0]}: {len(addresses)} blocks; {reply.strip()[:120]}", flush=True)
    return addresses, reply


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--driver", default=os.path.join(REPO, "artifacts/volume-driver"))
    parser.add_argument("--object", default=os.path.join(REPO, "src/VolumeDriver/obj/Release/net10.0/linux-x64/native/volume-driver.o"),
                        help="ILC's object file of the same build (it keeps the symbol table)")
    parser.add_argument("--out", default=os.path.join(REPO, "eng/startup-order.txt"))
    parser.add_argument("--node", default=os.uname().nodename.lower())
    parser.add_argument("--doubles", nargs=argparse.REMAINDER,
                        help="command that serves the ARM and vCD doubles (Simulators bench-doubles); last")
    args = parser.parse_args()
    if os.geteuid() != 0 or not shutil.which("valgrind") or not shutil.which("losetup"):
        sys.exit("startup-order: needs root, losetup and valgrind (attach and mountdevice run for real)")

    _, code_address = section(args.driver, CODE_SECTION)
    code_index, _ = section(args.object, CODE_SECTION)
    symbols = method_symbols(args.object, code_index)
    if not symbols:
        sys.exit(f"startup-order: no method symbols in {args.object}")
    code_end = code_address + symbols[-1][0] + symbols[-1][1]

    work = tempfile.mkdtemp(prefix="volume-driver-order.")
    try:
        os.mkdir(os.path.join(work, "disks"))
        config = os.path.join(work, "config.yaml")
        with open(config, "w", encoding="utf-8") as f:
            f.write(f"backend: loop\nloop:\n  directory: {work}/disks\nlog:\n  file: {work}/driver.log\n")
        env = {"PATH": PATH, "VOLUME_DRIVER_CONFIG": config}
        mount = os.path.join(work, "kubelet/plugins/kubernetes.io/flexvolume/example.com/volume-driver/mounts/order")
        os.makedirs(mount)
        options = json.dumps({"kubernetes.io/fsType": "", "kubernetes.io/pvOrVolumeName": "order",
                              "kubernetes.io/readwrite": "rw", "size": "64Mi"})
        plain = json.dumps({"kubernetes.io/pvOrVolumeName": "absent"})

        seen = set()
        seen_by_cloud = set()

        def run(*argv):
            addresses, reply = executed(args.driver, list(argv), env, code_address, code_end)
            seen.update(addresses)
            return reply

        run("init")
        run("getvolumename", plain)
        run("mount", "/x", plain)
        run("isattached", plain, args.node)
        run("attach", options)  # a parse error: the node is missing
        device = json.loads(run("attach", options, args.node))["device"]
        try:
            run("waitforattach", device, options)
            run("isattached", options, args.node)
            run("mountdevice", mount, device, options)
            run("mountdevice", mount, device, options)
            run("unmountdevice", mount)
        finally:
            run("detach", "order", args.node)
            run("delete", "order")
        if args.doubles:
            with Doubles(args.doubles, work) as doubles:
                volume = json.dumps({"kubernetes.io/pvOrVolumeName": doubles["volume"]})
                for cloud_env in ({"VOLUME_DRIVER_CONFIG": doubles["armConfig"], "AZURE_ENVIRONMENT_FILEPATH": doubles["armEnvironmentFile"]},
                                  {"VOLUME_DRIVER_CONFIG": doubles["vcloudConfig"]}):
                    seen_by_cloud.update(executed(args.driver, ["isattached", volume, doubles["node"]], {"PATH": PATH, **cloud_env}, code_address, code_end)[0])
    finally:
        subprocess.run(["umount", "-q", os.path.join(work, "kubelet/plugins/kubernetes.io/flexvolume/example.com/volume-driver/mounts/order")], check=False)
        shutil.rmtree(work, ignore_errors=True)

    starts = [s[0] for s in symbols]

    def methods(addresses):
        """The names of the methods holding the addresses, in their order in this build."""
        hot = {}
        for address in addresses:
            offset = address - code_address
            i = bisect.bisect_right(starts, offset) - 1
            if i < 0:
                continue
            start = starts[i]
            if offset >= start + max(symbols[i][1], 1):
                continue
            # Every name at that address: identical bodies are folded into one.
            while i >= 0 and starts[i] == start:
                hot[symbols[i][2]] = start
                i -= 1
        return sorted(hot, key=lambda n: (hot[n], n))

    names = methods(seen)
    loop_names = set(names)
    names += [n for n in methods(seen_by_cloud) if n not in loop_names]
    with open(args.out, "w", encoding="utf-8") as f:
        f.write("\n".join(names) + "\n")
    print(f"startup-order: {len(names)} methods written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
