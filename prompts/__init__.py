"""The language model's prompts: Chinese template files, their placeholders checked when loaded.

Each `NAME.txt` has a `[system]` part and a `[user]` part; placeholders are `${name}`
(string.Template). `load_all()` is called when a model is configured (app/llm/): a template that
is missing, has no system or user part, or whose placeholders are not exactly the ones the code
fills in stops start-up with a PromptError instead of sending a half-filled prompt later.

Document text always enters a prompt through `data()`, inside a <<<…>>> block that the system
part describes as data, never instructions; `data()` takes the block markers out of the text so a
document cannot close its block and speak as the user.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from string import Template

from ingest.errors import PromptError

FOLDER = Path(__file__).resolve().parent
# the placeholders each template must use, exactly (the code fills in these and no others)
PLACEHOLDERS: dict[str, frozenset[str]] = {
    "planner": frozenset({"issuers", "years", "labels", "terms", "question"}),
    "summary": frozenset({"question", "passages"}),
    "rephrase": frozenset({"question", "answer"}),
}
_PART = re.compile(r"^\[(system|user)\]\s*$", re.MULTILINE)
_MARKERS = re.compile(r"<{3,}|>{3,}")


@dataclass(frozen=True)
class Prompt:
    name: str
    system: Template
    user: Template

    def messages(self, **values: str) -> list[tuple[str, str]]:
        """[("system", …), ("human", …)]: the chat messages, every placeholder filled in."""
        wanted = PLACEHOLDERS[self.name]
        if set(values) != wanted:
            raise PromptError("语言模型提示词的参数不完整。",
                              f"prompt {self.name}: got {sorted(values)}, expects {sorted(wanted)}")
        return [("system", self.system.substitute(values)), ("human", self.user.substitute(values))]


def parse(name: str, text: str) -> Prompt:
    parts = _PART.split(text)
    found = {parts[i]: parts[i + 1].strip() for i in range(1, len(parts) - 1, 2)}
    if set(found) != {"system", "user"} or not all(found.values()):
        raise PromptError(f"提示词模板 {name}.txt 格式不对。", f"prompts/{name}.txt needs a [system] and a [user] part")
    system, user = Template(found["system"]), Template(found["user"])
    if not (system.is_valid() and user.is_valid()):
        raise PromptError(f"提示词模板 {name}.txt 中有写错的占位符。", f"prompts/{name}.txt: invalid ${{…}} placeholder")
    used = set(system.get_identifiers()) | set(user.get_identifiers())
    wanted = PLACEHOLDERS.get(name)
    if wanted is None or used != wanted:
        raise PromptError(f"提示词模板 {name}.txt 的占位符与程序不符。",
                          f"prompts/{name}.txt uses {sorted(used)}, the code fills {sorted(wanted or ())}")
    return Prompt(name, system, user)


def load(name: str, folder: Path = FOLDER) -> Prompt:
    path = Path(folder) / f"{name}.txt"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PromptError(f"缺少提示词模板 {name}.txt。", f"{path}: {exc}") from exc
    return parse(name, text)


def load_all(folder: Path = FOLDER) -> dict[str, Prompt]:
    """Every template the code uses, checked (start-up of a configured model)."""
    return {name: load(name, folder) for name in PLACEHOLDERS}


def data(text: str) -> str:
    """Document text for a <<<…>>> block: its own block markers taken out."""
    return _MARKERS.sub(lambda m: "‹" * len(m.group(0)) if m.group(0)[0] == "<" else "›" * len(m.group(0)),
                        text or "")
