"""Runs notebooks of `nabla explain --format ipynb` for tests/notebook.rs.

Reads a JSON list of jobs on standard input, each {"path": ..., "kernel": bool}, and writes one
JSON object per job to standard output: whether the notebook is valid nbformat (the schema's
error otherwise), what its code cells printed, the error that stopped them, and the differences
the cells printed as (label, number). A job with "kernel" runs the notebook as Jupyter does, top
to bottom on a fresh kernel (nbclient); the others run the code cells in a fresh namespace of
this process, which checks their numbers without the seconds a kernel takes to start.
"""

import contextlib
import io
import json
import math
import re
import sys

import nbformat
from nbclient import NotebookClient

# A line of compare(): two spaces, the label, the difference.
DIFFERENCE = re.compile(r"^  (.+?)\s+(\S+)$")


def run_in_kernel(notebook, directory):
    NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": directory}},
    ).execute()
    printed = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if output.output_type == "stream":
                printed.append(output.text)
    return "".join(printed)


def run_here(notebook, path):
    namespace = {"__name__": "__main__"}
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        try:
            for cell in notebook.cells:
                if cell.cell_type == "code":
                    exec(compile(cell.source, path, "exec"), namespace)
        except Exception as error:  # reported, with what was printed before it
            return printed.getvalue(), f"{type(error).__name__}: {error}"
    return printed.getvalue(), None


def check(job):
    path = job["path"]
    result = {"path": path, "kernel": job["kernel"], "invalid": None, "error": None}
    notebook = nbformat.read(path, as_version=4)
    try:
        nbformat.validate(notebook)
    except nbformat.ValidationError as error:
        result["invalid"] = str(error)
        return result
    if job["kernel"]:
        try:
            printed = run_in_kernel(notebook, job.get("directory", "."))
        except Exception as error:
            printed, result["error"] = "", f"{type(error).__name__}: {error}"
    else:
        printed, result["error"] = run_here(notebook, path)
    result["printed"] = printed
    differences = []
    for line in printed.splitlines():
        match = DIFFERENCE.match(line)
        if match:
            try:
                value = float(match.group(2))
            except ValueError:
                value = math.nan
            # JSON has no NaN: a difference that is no number is null.
            differences.append([match.group(1), value if math.isfinite(value) else None])
    result["differences"] = differences
    return result


def main():
    jobs = json.load(sys.stdin)
    results = [check(job) for job in jobs]
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
