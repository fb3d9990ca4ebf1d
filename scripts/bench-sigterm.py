#!/usr/bin/env python3
"""bench-sigterm.py: how long after exec a SIGTERM still gets NO reply from the driver.

A benchmark: it reports figures and never fails on timing.

    scripts/bench-sigterm.py [--binary artifacts/volume-driver] [--max-ms 150] [--step-ms 5] [--trials 10]

kubelet sends SIGTERM when a verb outlives its timeout; the driver must still print one JSON reply.
Until the driver's handler is registered, the runtime's default ends the process silently, so there
is a window after exec in which a SIGTERM gets no reply. This measures it: for each delay d
(0, step, 2*step ... max ms after exec), it starts `attach` the way kubelet does (argv only, stdin
/dev/null, cwd /, only PATH and the config in the environment) while this script holds the node's
VM lock, so the verb waits on the lock instead of finishing; sends SIGTERM d ms after exec, and
records whether stdout+stderr held a JSON reply. It prints, per delay, how many of the trials got no
reply, and the window: the largest delay with a silent exit. Run it as root (the loop backend).
"""
import argparse
import fcntl
import json
import os
import signal
import subprocess
import sys
import tempfile
import time


def main() -> int:
    parser = argparse.ArgumentParser()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser.add_argument("--binary", default=os.path.join(root, "artifacts", "volume-driver"))
    parser.add_argument("--max-ms", type=float, default=150)
    parser.add_argument("--step-ms", type=float, default=5)
    parser.add_argument("--trials", type=int, default=10)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="vd-sigterm-") as work:
        config = os.path.join(work, "config.yaml")
        locks = os.path.join(work, "locks")
        os.makedirs(locks)
        with open(config, "w") as f:
            f.write(f"backend: loop\nnodeName: node\nloop:\n  directory: {work}/images\n"
                    f"log:\n  file: {work}/driver.log\nlocking:\n  directory: {locks}\n  timeout: 60s\n")
        # Hold the VM lock: attach then waits (cancellably) instead of finishing before the signal.
        held = open(os.path.join(locks, "vm-node.lock"), "w")
        fcntl.flock(held, fcntl.LOCK_EX)
        options = json.dumps({"kubernetes.io/pvOrVolumeName": "sigterm", "size": "16Mi"})
        environment = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "VOLUME_DRIVER_CONFIG": config}

        steps = int(args.max_ms / args.step_ms) + 1
        window = None
        silent_total = 0
        runs = 0
        print(f"binary: {args.binary}")
        print("delay_ms  silent/trials  exit codes of silent runs")
        for step in range(steps):
            delay = step * args.step_ms
            silent = 0
            codes = []
            for _ in range(args.trials):
                process = subprocess.Popen([args.binary, "attach", options, "node"], stdin=subprocess.DEVNULL,
                                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd="/", env=environment)
                # Popen returns once exec succeeded: delays count from exec.
                time.sleep(delay / 1000)
                process.send_signal(signal.SIGTERM)
                output, _ = process.communicate(timeout=60)
                runs += 1
                try:
                    reply = json.loads(output)
                    replied = isinstance(reply, dict) and "status" in reply
                except ValueError:
                    replied = False
                if not replied:
                    silent += 1
                    codes.append(process.returncode)
            silent_total += silent
            if silent:
                window = delay
            print(f"{delay:8.1f}  {silent:3d}/{args.trials:<3d}       {sorted(set(codes)) if codes else ''}")
        held.close()
        print(f"window: {'none seen' if window is None else f'silent exits up to {window:.1f} ms after exec'}; "
              f"{silent_total} of {runs} runs silent")
    return 0


if __name__ == "__main__":
    sys.exit(main())
