"""Finds the texts in Python that people read but that are not marked for translation (issue 22): a form's label, hint
or message, a ValidationError's message, a flash message, a refusal or conflict a page or the API shows, and a
choice's label. The catalogue checks (tests/mash/test_welsh.py) see only what is marked; this sees the rest.

`python -m mash.unmarked [paths]` lists them as path:line: text; tests/mash/test_welsh_python.py asserts there are none.
A text is marked when it is not a literal: a call of gettext, gettext_lazy, ngettext or format_lazy (under any name),
or a value built elsewhere.
"""

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("mash", "referrals", "agencies", "decisions", "audit", "reports")
SKIP_PARTS = {"migrations", "tests", "management", "templatetags"}  # commands' output is for operators, in English

# Keywords of a field, a form or a serializer that people read.
READ_KEYWORDS = {"label", "help_text", "empty_label", "error_messages"}
MESSAGE_CALLS = {"ValidationError", "Refused", "NoAgreement", "Conflict"}
FLASH = {"success", "info", "error", "warning", "debug"}
CHOICES_BASES = {"TextChoices", "IntegerChoices", "Choices"}


def _is_plain_text(node: ast.AST) -> bool:
    """A literal text (or an f-string, or texts joined with +) that no translation call wraps."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and any(ch.isalpha() for ch in node.value)
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(v, ast.Constant) and any(ch.isalpha() for ch in v.value) for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _is_plain_text(node.left) or _is_plain_text(node.right)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):  # "…%s" % x: the template is the text
        return _is_plain_text(node.left)
    if isinstance(node, ast.IfExp):
        return _is_plain_text(node.body) or _is_plain_text(node.orelse)
    return False


def _texts(node: ast.AST) -> Iterator[ast.AST]:
    """The plain texts in a message argument: the text itself, or each value of a {field: message} dict or list."""
    if isinstance(node, ast.Dict):
        for value in node.values:
            yield from _texts(value)
    elif isinstance(node, ast.List | ast.Tuple):
        for value in node.elts:
            yield from _texts(value)
    elif _is_plain_text(node):
        yield node


def _call_name(node: ast.Call) -> str:
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _flash_or_field_error(node: ast.Call, name: str) -> bool:
    """`form.add_error(field, message)` or `messages.success(request, message)`: the message is the second argument."""
    flash = name in FLASH and isinstance(node.func, ast.Attribute) and getattr(node.func.value, "id", "") == "messages"
    return (flash or name == "add_error") and len(node.args) >= 2


def _unmarked_in(tree: ast.Module) -> Iterator[ast.AST]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = _call_name(node)
            for keyword in node.keywords:
                if keyword.arg in READ_KEYWORDS:
                    yield from _texts(keyword.value)
            if name in MESSAGE_CALLS and node.args:
                yield from _texts(node.args[0])
            elif _flash_or_field_error(node, name):
                yield from _texts(node.args[1])
        elif isinstance(node, ast.ClassDef) and any(
            (base.attr if isinstance(base, ast.Attribute) else getattr(base, "id", "")) in CHOICES_BASES
            for base in node.bases
        ):
            for item in node.body:
                if isinstance(item, ast.Assign) and isinstance(item.value, ast.Tuple) and len(item.value.elts) >= 2:
                    yield from _texts(item.value.elts[-1])


def unmarked(paths: list[Path] | None = None) -> list[tuple[str, int, str]]:
    """(path, line, text) of each unmarked text in the apps' Python (or in `paths`)."""
    files = paths or [
        path
        for app in APPS
        for path in sorted((ROOT / app).rglob("*.py"))
        if not SKIP_PARTS & set(path.relative_to(ROOT).parts)
    ]
    found = []
    for path in files:
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in _unmarked_in(tree):
            found.append((str(path.relative_to(ROOT)), node.lineno, ast.unparse(node)[:100]))
    return sorted(set(found))


if __name__ == "__main__":
    chosen = [Path(p).resolve() for p in sys.argv[1:]]
    chosen = [f for p in chosen for f in (sorted(p.rglob("*.py")) if p.is_dir() else [p])]
    for path, line, text in unmarked(chosen or None):
        print(f"{path}:{line}: {text}")
