"""Runs benchmark cases and prints a markdown table of median wall time and peak RSS
for klever and its reference, with their ratios.

usage: measure.py SPEC.json [RUNS]
SPEC.json: [{"stage", "case", "input", "inputMB", "klever": [argv], "reference": [argv],
             "referenceName", "before": [argv] (optional: run, untimed, before each run)}]
A case without "reference" (no Python tool does it) is measured for klever alone. "klever
RSS / input" is klever's peak RSS over the input's size: below 1 means klever never holds
the whole input (structure-only extraction; streamed weights in a conversion).
Peak RSS is ru_maxrss from wait4: the largest process of the command's tree (a shell
pipeline's too, as wait4 counts the descendants the child waited for).
"""
import json
import os
import statistics
import subprocess
import sys
import time


def run(argv):
    started = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    stderr = process.stderr.read().decode(errors="replace")
    process.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"measure: {' '.join(argv)} failed:\n{stderr}")
    return wall, usage.ru_maxrss / 1024.0  # KiB -> MiB


def median_of(argv, runs, before=None):
    samples = []
    for _ in range(runs):
        if before:
            subprocess.run(before, check=True)
        samples.append(run(argv))
    return statistics.median(s[0] for s in samples), max(s[1] for s in samples)


def ratio(value):
    return f"{value:.2f}x" if value < 10 else f"{value:.0f}x"


def main():
    cases = json.load(open(sys.argv[1]))
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    print("| stage | case | input | klever wall | klever peak RSS | klever RSS / input | reference | reference wall "
          "| reference peak RSS | speed (reference wall / klever wall) | memory (reference RSS / klever RSS) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for case in cases:
        k_wall, k_rss = median_of(case["klever"], runs, case.get("before"))
        row = (f"| {case['stage']} | {case['case']} | {case['input']} | {k_wall * 1000:.1f} ms | {k_rss:.1f} MiB "
               f"| {k_rss / case['inputMB']:.2f} ")
        if "reference" in case:
            r_wall, r_rss = median_of(case["reference"], max(1, runs // 2 + 1), case.get("before"))
            row += (f"| {case['referenceName']} | {r_wall * 1000:.0f} ms | {r_rss:.0f} MiB "
                    f"| {ratio(r_wall / k_wall)} | {ratio(r_rss / k_rss)} |")
        else:
            row += f"| {case['referenceName']} | | | | |"
        print(row, flush=True)


if __name__ == "__main__":
    main()
