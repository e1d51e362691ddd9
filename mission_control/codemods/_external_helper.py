"""Runs inside the project's interpreter (never imported by Mission Control itself).

``discover REPO``: print one JSON object listing the libcst codemod commands found in the
modules ``REPO/.libcst.codemod.yaml`` names, as ``python -m libcst.tool list`` finds them.
``run``: read a JSON job on stdin (repo, command, argv, files) and print one JSON line per file
with the transformed text, the skip reason or the error; nothing is written to disk.
Only the standard library, libcst and PyYAML (a libcst dependency) are used. Signature
annotations naming more than builtins are quoted: the project's interpreter may be old.
"""

import argparse
import importlib
import inspect
import json
import os
import pkgutil
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from libcst.codemod import CodemodCommand

    #: Command name -> (class, the configured package it was found in, its module's file).
    Found = dict[str, tuple[type[CodemodCommand], str, str]]


def _config(repo: str) -> "tuple[list[str], str]":
    import yaml  # type: ignore[import-untyped]  # PyYAML ships no type information

    path = os.path.join(repo, ".libcst.codemod.yaml")
    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle) or {}
    modules: list[str] = data.get("modules") or []
    return modules, os.path.join(repo, data.get("repo_root") or ".")


def _commands(repo: str) -> "tuple[Found, list[str]]":
    from libcst.codemod import CodemodCommand

    modules, _root = _config(repo)
    sys.path.insert(0, repo)
    found: Found = {}
    problems: list[str] = []
    for package in modules:
        try:
            imported = importlib.import_module(package)
        except Exception as exc:
            problems.append(f"{repo}: cannot import {package}: {type(exc).__name__}: {exc}")
            continue
        for info in pkgutil.iter_modules(getattr(imported, "__path__", [])):
            name = f"{package}.{info.name}"
            try:
                module = importlib.import_module(name)
            except Exception as exc:
                problems.append(f"{repo}: cannot import {name}: {type(exc).__name__}: {exc}")
                continue
            for cls_name, cls in inspect.getmembers(module, inspect.isclass):
                if issubclass(cls, CodemodCommand) and cls.__module__ == name and not inspect.isabstract(cls):
                    found[f"{info.name}.{cls_name}"] = (cls, package, getattr(module, "__file__", ""))
    return found, problems


def _arg_specs(cls: "type[CodemodCommand]") -> "list[dict[str, object]]":
    parser = argparse.ArgumentParser(add_help=False)
    cls.add_args(parser)
    return [{"name": a.dest, "help": a.help or "", "required": bool(a.required)} for a in parser._actions]


def discover(repo: str) -> None:
    found, problems = _commands(repo)
    out: list[dict[str, object]] = []
    for name, (cls, _package, path) in sorted(found.items()):
        try:
            args = _arg_specs(cls)
        except Exception as exc:
            problems.append(f"{path}: {name}.add_args failed: {exc}")
            continue
        out.append(
            {"name": name, "description": (getattr(cls, "DESCRIPTION", "") or "").strip(), "args": args, "source": path}
        )
    print(json.dumps({"commands": out, "problems": problems}))


def run() -> None:
    from libcst.codemod import CodemodContext, TransformFailure, TransformSkip, TransformSuccess, transform_module

    job = json.loads(sys.stdin.read())
    repo = job["repo"]
    found, _problems = _commands(repo)
    if job["command"] not in found:
        print(
            json.dumps(
                {"fatal": "no codemod {} in the modules of {}/.libcst.codemod.yaml".format(job["command"], repo)}
            )
        )
        return
    cls = found[job["command"]][0]
    parser = argparse.ArgumentParser(prog=job["command"], add_help=False)
    cls.add_args(parser)
    try:
        ns = vars(parser.parse_args(job["argv"]))
    except SystemExit:
        print(
            json.dumps(
                {
                    "fatal": "bad arguments for {}: {} (it takes {})".format(
                        job["command"], " ".join(job["argv"]), ", ".join(a.dest for a in parser._actions)
                    )
                }
            )
        )
        return
    for item in job["files"]:
        path = item["path"]
        with open(os.path.join(repo, path), encoding="utf-8") as handle:
            text = handle.read()
        context = CodemodContext(
            filename=os.path.join(repo, path), full_module_name=item["module"], full_package_name=item["package"]
        )
        try:
            result = transform_module(cls(context, **ns), text)
        except Exception as exc:
            print(json.dumps({"path": path, "status": "failed", "reason": f"{type(exc).__name__}: {exc}"}))
            continue
        if isinstance(result, TransformSuccess):
            print(json.dumps({"path": path, "status": "ok", "new_text": result.code}))
        elif isinstance(result, TransformSkip):
            print(
                json.dumps(
                    {
                        "path": path,
                        "status": "skipped",
                        "reason": result.skip_description or str(result.skip_reason.value),
                    }
                )
            )
        elif isinstance(result, TransformFailure):
            error = result.error
            line = getattr(error, "raw_line", None)
            print(
                json.dumps(
                    {
                        "path": path,
                        "status": "failed",
                        "line": line,
                        "reason": "{}: {}".format(
                            type(error).__name__, str(error).splitlines()[0] if str(error) else ""
                        ),
                    }
                )
            )
        sys.stdout.flush()


if __name__ == "__main__":
    if sys.argv[1] == "discover":
        discover(sys.argv[2])
    else:
        run()
