#!/usr/bin/env python3
"""bench.py: measure process start-up of the driver against a .NET hello-world floor.

A benchmark that REPORTS figures; it never fails on timing (exit status is non-zero only for
usage errors or when a command cannot be started at all).

Each command is started exactly as kubelet starts a FlexVolume driver: an argv list (no shell),
stdin /dev/null, cwd /, an environment holding only PATH (plus VOLUME_DRIVER_CONFIG for the verbs
that read configuration), stdout and stderr captured together. Per run it records wall time
(fork .. reap) and peak RSS (ru_maxrss, KiB), both taken by scripts/bench-spawn.c, a small C
program every measured command is started through: Linux carries a parent's peak RSS into a forked
child's ru_maxrss, so forked from Python no figure could be below Python's own ~15 MiB; forked from
bench-spawn the floor is about 1 MiB, which the "/bin/true" row shows. Runs are interleaved (every
command once per round) after warm-up rounds, so drift affects all alike.

With --doubles CMD (the ARM and vCD doubles, `Simulators bench-doubles DIR`), it also measures
isattached against each double. As root with loop devices, it attaches and mounts a loop-backend
volume once and measures isattached, waitforattach and mountdevice on it (already attached and
mounted: the verbs kubelet repeats), then unmounts and detaches it.

With --baseline PATH (another build of the driver, e.g. an older commit's; may be repeated), every
driver command is measured for every build, each round running the baselines' then this build's,
so they all see the same machine; the rows are labelled "base" (or "base1", "base2", ...) and "this". The loop volume is attached and
mounted by this build once, and both builds' verbs are run on it.

Usage: bench.py --hello PATH --driver PATH --spawner PATH [--baseline PATH] [--runs N] [--warmup N]
                [--node NAME] [--json FILE] [--doubles CMD...]
"""

import argparse
import contextlib
import json
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile

PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
VOLUME_JSON = '{"kubernetes.io/pvOrVolumeName":"bench"}'


def run_once(argv, env):
    """Run a set-up verb (not measured) like kubelet; return (exit code, output bytes)."""
    done = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, cwd="/", env=env, close_fds=True, check=False)
    return done.returncode, done.stdout


def run_measured(spawner, report, argv, env):
    """Start argv like kubelet, through bench-spawn; return (wall seconds, peak RSS KiB, exit code, output)."""
    proc = subprocess.Popen(
        [spawner, report, *argv],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        cwd="/",
        env=env,
        close_fds=True,
    )
    output, _ = proc.communicate()
    if proc.returncode != 0:
        raise OSError(f"bench-spawn exited {proc.returncode}: {output[-300:]!r}")
    with open(report, encoding="ascii") as f:
        elapsed_ns, maxrss, code = (int(field) for field in f.read().split())
    return elapsed_ns / 1e9, maxrss, code, output


def run_checked(argv, env):
    """Run a set-up verb; return its reply (a dict) or raise with its output."""
    code, output = run_once(argv, env)
    try:
        reply = json.loads(output.decode("utf-8"))
    except ValueError:
        reply = None
    if code != 0 or not isinstance(reply, dict) or reply.get("status") != "Success":
        raise RuntimeError(f"{' '.join(argv[1:2])} failed ({code}): {output[:300]!r}")
    return reply


class LoopVolume:
    """A loop-backend volume attached and mounted once, for the verbs kubelet repeats on it."""

    def __init__(self, driver, env, node, work):
        self.driver, self.env, self.node = driver, env, node
        self.options = json.dumps({"kubernetes.io/fsType": "", "kubernetes.io/pvOrVolumeName": "bench-mounted",
                                   "kubernetes.io/readwrite": "rw", "size": "64Mi"})
        # Where kubelet mounts a FlexVolume device; the driver refuses any other path.
        self.mount = os.path.join(work, "kubelet/plugins/kubernetes.io/flexvolume/example.com/volume-driver/mounts/bench-mounted")
        self.device = None
        self.mounted = False

    def __enter__(self):
        os.makedirs(self.mount)
        self.device = run_checked([self.driver, "attach", self.options, self.node], self.env)["device"]
        run_checked([self.driver, "mountdevice", self.mount, self.device, self.options], self.env)
        self.mounted = True
        return self

    def __exit__(self, *_):
        if self.mounted:
            run_once([self.driver, "unmountdevice", self.mount], self.env)
        if self.device:
            run_once([self.driver, "detach", "bench-mounted", self.node], self.env)


class Doubles:
    """The ARM and vCD doubles, started from a command that prints one JSON line and runs until stdin closes."""

    def __init__(self, command, work):
        self.command = command + [os.path.join(work, "doubles")]
        self.proc = None

    def __enter__(self):
        self.proc = subprocess.Popen(self.command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the doubles did not start: {shlex.join(self.command)}")
        return json.loads(line)

    def __exit__(self, *_):
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def is_one_json_object(output):
    try:
        text = output.decode("utf-8")  # strict: a BOM or bad byte counts as bad output
        value = json.loads(text)  # rejects anything after the object but whitespace
    except (UnicodeDecodeError, ValueError):
        return False
    return isinstance(value, dict)


def percentile(values, fraction):
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * fraction // 1))  # ceil
    return ordered[int(rank) - 1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--hello", required=True, help="hello-world executable (the floor)")
    parser.add_argument("--driver", required=True, help="volume-driver executable")
    parser.add_argument("--spawner", required=True, help="bench-spawn executable (scripts/bench-spawn.c)")
    parser.add_argument("--baseline", action="append", default=[],
                        help="another volume-driver build to measure interleaved with --driver (A/B); may be repeated")
    parser.add_argument("--runs", type=int, default=30, help="measured runs per command (>= 20)")
    parser.add_argument("--warmup", type=int, default=3, help="warm-up runs per command")
    parser.add_argument("--node", default="bench-node", help="node name for isattached")
    parser.add_argument("--json", metavar="FILE", help="write the raw per-run numbers here")
    parser.add_argument("--doubles", nargs=argparse.REMAINDER,
                        help="command that serves the ARM and vCD doubles (Simulators bench-doubles); last")
    args = parser.parse_args()
    if args.runs < 20:
        parser.error("--runs must be at least 20")
    if args.warmup < 0:
        parser.error("--warmup must not be negative")
    for path in (args.hello, args.driver, *args.baseline):
        if not os.access(path, os.X_OK):
            parser.error(f"not an executable: {path}")

    work = tempfile.mkdtemp(prefix="volume-driver-bench.")
    try:
        disks = os.path.join(work, "disks")
        os.mkdir(disks)
        config = os.path.join(work, "config.yaml")
        with open(config, "w", encoding="utf-8") as f:
            f.write(f"backend: loop\nloop:\n  directory: {disks}\nlog:\n  file: {work}/bench.log\n")

        plain_env = {"PATH": PATH}
        config_env = {"PATH": PATH, "VOLUME_DRIVER_CONFIG": config}
        driver = os.path.abspath(args.driver)
        # (label, path) of each build measured: this one alone, or the baselines' then this one's.
        bases = [os.path.abspath(b) for b in args.baseline]
        drivers = [("base" if len(bases) == 1 else f"base{i + 1}", b) for i, b in enumerate(bases)]
        drivers = drivers + [("this", driver)] if drivers else [("", driver)]

        def each_driver(name, argv_of, env):
            """The command once per build measured, argv_of(path) giving its argv."""
            return [((f"{label} " if label else "") + name, argv_of(path), env, True) for label, path in drivers]

        commands = [
            ("/bin/true (spawn floor)", ["/bin/true"], plain_env, False),
            ("hello-world", [os.path.abspath(args.hello)], plain_env, True),
            *each_driver("volume-driver init", lambda d: [d, "init"], plain_env),
            *each_driver("volume-driver getvolumename", lambda d: [d, "getvolumename", VOLUME_JSON], plain_env),
            *each_driver("volume-driver isattached", lambda d: [d, "isattached", VOLUME_JSON, args.node], config_env),
        ]
        with contextlib.ExitStack() as stack:
            if os.geteuid() == 0 and shutil.which("losetup") and os.path.exists("/dev/loop-control"):
                volume = stack.enter_context(LoopVolume(driver, config_env, args.node, work))
                commands += [
                    *each_driver("loop isattached (attached)", lambda d: [d, "isattached", volume.options, args.node], config_env),
                    *each_driver("loop waitforattach (attached)", lambda d: [d, "waitforattach", volume.device, volume.options], config_env),
                    *each_driver("loop mountdevice (mounted)", lambda d: [d, "mountdevice", volume.mount, volume.device, volume.options], config_env),
                ]
            else:
                print("bench: not root or no loop devices: the attached and mounted loop verbs are left out", flush=True)
            if args.doubles:
                doubles = stack.enter_context(Doubles(args.doubles, work))
                volume_json = json.dumps({"kubernetes.io/pvOrVolumeName": doubles["volume"]})
                arm_env = {"PATH": PATH, "VOLUME_DRIVER_CONFIG": doubles["armConfig"],
                           "AZURE_ENVIRONMENT_FILEPATH": doubles["armEnvironmentFile"]}
                vcloud_env = {"PATH": PATH, "VOLUME_DRIVER_CONFIG": doubles["vcloudConfig"]}
                commands += [
                    *each_driver("azure isattached (ARM double)", lambda d: [d, "isattached", volume_json, doubles["node"]], arm_env),
                    *each_driver("vcloud isattached (vCD double)", lambda d: [d, "isattached", volume_json, doubles["node"]], vcloud_env),
                ]
            return measure(args, commands, os.path.join(work, "spawn-report"))
    finally:
        shutil.rmtree(work, ignore_errors=True)


def measure(args, commands, report):
    """Run the commands interleaved, print the table, and write the raw numbers if asked."""
    results = {name: {"argv": argv, "wall_ms": [], "maxrss_kib": [], "exit_codes": [],
                      "bad_outputs": 0, "bad_examples": []}
               for name, argv, _, _ in commands}

    total_rounds = args.warmup + args.runs
    print(f"bench: {len(commands)} commands x ({args.warmup} warm-up + {args.runs} measured) "
          f"runs, interleaved; cwd /, env PATH only, stdin /dev/null", flush=True)
    for round_no in range(total_rounds):
        measured = round_no >= args.warmup
        for name, argv, env, expects_json in commands:
            try:
                elapsed, maxrss, code, output = run_measured(args.spawner, report, argv, env)
            except OSError as exc:
                print(f"bench: cannot start {argv[0]}: {exc}", file=sys.stderr)
                return 2
            if not measured:
                continue
            r = results[name]
            r["wall_ms"].append(elapsed * 1000.0)
            r["maxrss_kib"].append(maxrss)
            r["exit_codes"].append(code)
            if expects_json and not is_one_json_object(output):
                r["bad_outputs"] += 1
                if len(r["bad_examples"]) < 1:
                    r["bad_examples"].append(output[:300].decode("utf-8", "replace"))

    hello_median = statistics.median(results["hello-world"]["wall_ms"])
    header = ("command", "runs", "median ms", "p90 ms", "med RSS MiB", "max RSS MiB",
              "x hello", "bad JSON", "exit codes")
    rows = []
    for name, _, _, expects_json in commands:
        r = results[name]
        median = statistics.median(r["wall_ms"])
        rows.append((
            name,
            str(len(r["wall_ms"])),
            f"{median:.1f}",
            f"{percentile(r['wall_ms'], 0.9):.1f}",
            f"{statistics.median(r['maxrss_kib']) / 1024:.1f}",
            f"{max(r['maxrss_kib']) / 1024:.1f}",
            f"{median / hello_median:.2f}",
            f"{r['bad_outputs']}/{len(r['wall_ms'])}" if expects_json else "-",
            ",".join(str(c) for c in sorted(set(r["exit_codes"]))),
        ))
    widths = [max(len(row[i]) for row in rows + [header]) for i in range(len(header))]
    line = lambda row: "  ".join(
        cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(row))
    print()
    print(line(header))
    print(line(tuple("-" * w for w in widths)))
    for row in rows:
        print(line(row))
    print()
    print("RSS floor: no figure can be below the '/bin/true' row (bench-spawn's own RSS, carried into its child).")
    for name, _, _, _ in commands:
        if results[name]["bad_examples"]:
            print(f"bad output from {name} (first one): {results[name]['bad_examples'][0]!r}")

    if args.json:
        report = {
            "runs": args.runs,
            "warmup": args.warmup,
            "hello_median_ms": hello_median,
            "commands": {name: {k: v for k, v in r.items() if k != "bad_examples"}
                         for name, r in results.items()},
        }
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(report, f, indent=2)
        print(f"raw numbers written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
