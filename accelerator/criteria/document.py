"""A framework version as a document: the YAML format of ``criteria/data/*.yaml``.

``parse(text)`` reads and checks a whole file and returns a ``FrameworkDocument``, or raises
``DocumentError`` listing every problem with its line and field: a file is accepted whole
or not at all. ``dump(document)`` writes the same format, so that an exported version
re-imports identically. ``document_of(version)`` reads a stored version into a document.
The format is described in the project's YAML_FORMAT notes and in the shipped file.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import yaml
from flask_babel import lazy_gettext as _l

from accelerator.core.forms import REQUIRED
from accelerator.criteria import rules


@dataclass(frozen=True)
class LevelDoc:
    value: int
    label: str
    descriptor: str


@dataclass(frozen=True)
class CriterionDoc:
    code: str
    title: str
    guidance: str
    evidence_expected: str
    weight: float
    levels: tuple[LevelDoc, ...]
    eliminatory: bool = False
    min_level: int = 0
    applies_if: str | None = None
    #: the level reached is shown on the public solution page
    public: bool = False


@dataclass(frozen=True)
class DomainDoc:
    code: str
    name: str
    weight: float
    criteria: tuple[CriterionDoc, ...]
    description: str = ""
    #: minimum domain score (0..100) below which the engine recommends reject; None: no floor
    floor: float | None = None


@dataclass(frozen=True)
class FrameworkDocument:
    framework_code: str
    framework_name: str
    version: str
    label: str
    thresholds: dict[str, float]
    domains: tuple[DomainDoc, ...]

    def criteria(self) -> Iterator[CriterionDoc]:
        for domain in self.domains:
            yield from domain.criteria


@dataclass(frozen=True)
class Problem:
    """One error of a file: where (line, field) and what."""

    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}, " if self.line else ""
        return f"{where}{self.field}: {self.message}"


class DocumentError(Exception):
    """The file is refused; ``problems`` lists every error found."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


# --- Reading YAML while keeping line numbers --------------------------------------------


class _Mapping(dict):
    """A YAML mapping that remembers its line and the line of each key."""

    line: int
    lines: dict


class _Sequence(list):
    line: int
    lines: list


class _MarkedLoader(yaml.SafeLoader):
    """PyYAML's safe loader, keeping line numbers and reporting duplicate keys."""

    def __init__(self, stream):
        super().__init__(stream)
        self.duplicates: list[tuple[int, object]] = []


def _construct_mapping(loader: _MarkedLoader, node: yaml.MappingNode) -> _Mapping:
    loader.flatten_mapping(node)
    mapping = _Mapping()
    mapping.line = node.start_mark.line + 1
    mapping.lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str | int | float | bool) and key is not None:
            key = str(key)
        if key in mapping:
            loader.duplicates.append((key_node.start_mark.line + 1, key))
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.lines[key] = key_node.start_mark.line + 1
    return mapping


def _construct_sequence(loader: _MarkedLoader, node: yaml.SequenceNode) -> _Sequence:
    sequence = _Sequence(loader.construct_object(child, deep=True) for child in node.value)
    sequence.line = node.start_mark.line + 1
    sequence.lines = [child.start_mark.line + 1 for child in node.value]
    return sequence


_MarkedLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_MarkedLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def _read_yaml(text: str) -> tuple[object, list[Problem]]:
    loader = _MarkedLoader(text)
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        message = str(_l("This is not valid YAML: %(problem)s", problem=error.problem or error))
        return None, [Problem(line, "(file)", message)]
    except yaml.YAMLError as error:
        message = str(_l("This is not valid YAML: %(problem)s", problem=error))
        return None, [Problem(None, "(file)", message)]
    finally:
        loader.dispose()
    problems = [
        Problem(line, str(key), str(_l("This key appears twice.")))
        for line, key in loader.duplicates
    ]
    return data, problems


# --- Checking ------------------------------------------------------------------------------


class _Checker:
    """Walks the parsed data, collecting problems instead of stopping at the first."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def error(self, line: int | None, path: str, message) -> None:
        self.problems.append(Problem(line, path, str(message)))

    def mapping(
        self, data: object, path: str, line: int | None, required: set, optional: set
    ) -> _Mapping | None:
        if not isinstance(data, dict):
            self.error(line, path, _l("A mapping (key: value lines) is expected here."))
            return None
        for key in data:
            if key not in required and key not in optional:
                self.error(
                    data.lines.get(key, data.line),
                    _join(path, key),
                    _l(
                        "Unknown field (expected: %(fields)s).",
                        fields=", ".join(sorted(required | optional)),
                    ),
                )
        for key in sorted(required - set(data)):
            self.error(data.line, _join(path, key), REQUIRED)
        return data

    def text(
        self, data: _Mapping, key: str, path: str, max_length: int | None = None, required=True
    ) -> str:
        if key not in data:
            return ""
        value = data[key]
        line = data.lines.get(key, data.line)
        if value is None and not required:
            return ""
        if not isinstance(value, str):
            self.error(line, _join(path, key), _l("Text is expected here (write it in quotes)."))
            return ""
        value = value.strip()
        if required and not value:
            self.error(line, _join(path, key), _l("This field cannot be empty."))
        if max_length and len(value) > max_length:
            self.error(line, _join(path, key), _l("At most %(max)s characters.", max=max_length))
        return value

    def weight(self, data: _Mapping, key: str, path: str) -> float:
        value = data.get(key)
        if key in data and not rules.is_weight(value):
            self.error(
                data.lines.get(key, data.line),
                _join(path, key),
                _l("A weight is a number greater than 0."),
            )
            return 1.0
        return float(value) if key in data else 1.0


def _join(path: str, key: object) -> str:
    return f"{path}.{key}" if path else str(key)


def parse(text: str) -> FrameworkDocument:
    """Read and check a framework file; raise ``DocumentError`` with every problem found."""
    data, problems = _read_yaml(text)
    checker = _Checker()
    checker.problems.extend(problems)
    if data is None and not problems:
        checker.error(1, "(file)", _l("The file is empty."))
    if checker.problems:
        raise DocumentError(checker.problems)
    document = _check_document(checker, data)
    if checker.problems:
        raise DocumentError(sorted(checker.problems, key=lambda p: p.line or 0))
    return document


def _check_document(checker: _Checker, data: object) -> FrameworkDocument | None:
    top = checker.mapping(
        data, "", 1, {"framework", "version", "label", "thresholds", "domains"}, set()
    )
    if top is None:
        return None
    framework = (
        checker.mapping(
            top.get("framework"),
            "framework",
            top.lines.get("framework", 1),
            {"code", "name"},
            set(),
        )
        if "framework" in top
        else None
    )
    framework_code = framework_name = ""
    if framework is not None:
        framework_code = checker.text(framework, "code", "framework", 60)
        if framework_code and not rules.FRAMEWORK_CODE.match(framework_code):
            checker.error(
                framework.lines["code"],
                "framework.code",
                _l("Lower-case letters, digits and hyphens only, such as cadre-de-confiance."),
            )
        framework_name = checker.text(framework, "name", "framework", 200)
    version = checker.text(top, "version", "", 20)
    if version and not rules.VERSION_LABEL.match(version):
        checker.error(
            top.lines["version"],
            "version",
            _l("Letters, digits, dots and hyphens only, such as 2026.1."),
        )
    label = checker.text(top, "label", "", 200)
    thresholds = _check_thresholds(checker, top)
    domains: list[DomainDoc] = []
    if "domains" in top:
        raw_domains = top["domains"]
        if not isinstance(raw_domains, list) or not raw_domains:
            checker.error(
                top.lines["domains"], "domains", _l("A non-empty list of domains is expected.")
            )
        else:
            domain_codes: dict[str, int] = {}
            criterion_codes: dict[str, int] = {}
            for index, raw in enumerate(raw_domains):
                domain = _check_domain(
                    checker, raw, f"domains[{index}]", raw_domains.lines[index], criterion_codes
                )
                if domain is None:
                    continue
                if domain.code in domain_codes:
                    checker.error(
                        raw.lines.get("code", raw.line),
                        f"domains[{index}].code",
                        _l(
                            "The code %(code)s is already used on line %(line)s.",
                            code=domain.code,
                            line=domain_codes[domain.code],
                        ),
                    )
                elif domain.code:
                    domain_codes[domain.code] = raw.lines.get("code", raw.line)
                domains.append(domain)
    return FrameworkDocument(
        framework_code=framework_code,
        framework_name=framework_name,
        version=version,
        label=label,
        thresholds=thresholds,
        domains=tuple(domains),
    )


def _check_thresholds(checker: _Checker, top: _Mapping) -> dict[str, float]:
    if "thresholds" not in top:
        return {}
    raw = checker.mapping(
        top["thresholds"],
        "thresholds",
        top.lines["thresholds"],
        {"approve", "approve_with_conditions"},
        set(),
    )
    if raw is None or not {"approve", "approve_with_conditions"} <= set(raw):
        return {}
    error = rules.thresholds_error(raw["approve"], raw["approve_with_conditions"])
    if error:
        checker.error(raw.line, "thresholds", error)
        return {}
    return {"approve": raw["approve"], "approve_with_conditions": raw["approve_with_conditions"]}


def _check_domain(
    checker: _Checker, raw: object, path: str, line: int, criterion_codes: dict[str, int]
) -> DomainDoc | None:
    data = checker.mapping(
        raw, path, line, {"code", "name", "weight", "criteria"}, {"description", "floor"}
    )
    if data is None:
        return None
    code = checker.text(data, "code", path, 20)
    if code and not rules.DOMAIN_CODE.match(code):
        checker.error(
            data.lines["code"], f"{path}.code", _l("2 to 10 capital letters, such as RGPD.")
        )
    name = checker.text(data, "name", path, 200)
    description = checker.text(data, "description", path, required=False)
    weight = checker.weight(data, "weight", path)
    floor = data.get("floor")
    if floor is not None:
        error = rules.floor_error(floor)
        if error:
            checker.error(data.lines.get("floor", data.line), f"{path}.floor", error)
            floor = None
    criteria: list[CriterionDoc] = []
    if "criteria" in data:
        raw_criteria = data["criteria"]
        if not isinstance(raw_criteria, list) or not raw_criteria:
            checker.error(
                data.lines["criteria"],
                f"{path}.criteria",
                _l("A non-empty list of criteria is expected."),
            )
        else:
            for index, raw_criterion in enumerate(raw_criteria):
                criterion = _check_criterion(
                    checker,
                    raw_criterion,
                    f"{path}.criteria[{index}]",
                    raw_criteria.lines[index],
                    code,
                )
                if criterion is None:
                    continue
                code_line = raw_criterion.lines.get("code", raw_criterion.line)
                if criterion.code in criterion_codes:
                    checker.error(
                        code_line,
                        f"{path}.criteria[{index}].code",
                        _l(
                            "The code %(code)s is already used on line %(line)s.",
                            code=criterion.code,
                            line=criterion_codes[criterion.code],
                        ),
                    )
                elif criterion.code:
                    criterion_codes[criterion.code] = code_line
                criteria.append(criterion)
    return DomainDoc(
        code=code,
        name=name,
        weight=weight,
        criteria=tuple(criteria),
        description=description,
        floor=None if floor is None else float(floor),
    )


def _check_criterion(
    checker: _Checker, raw: object, path: str, line: int, domain_code: str
) -> CriterionDoc | None:
    data = checker.mapping(
        raw,
        path,
        line,
        {"code", "title", "guidance", "evidence_expected", "weight", "levels"},
        {"eliminatory", "min_level", "applies_if", "public"},
    )
    if data is None:
        return None
    code = checker.text(data, "code", path, 20)
    if (
        code
        and rules.DOMAIN_CODE.match(domain_code or "")
        and not rules.criterion_code_pattern(domain_code).match(code)
    ):
        checker.error(
            data.lines["code"],
            f"{path}.code",
            _l(
                "The code is the domain's code, a hyphen and two digits, such as %(example)s.",
                example=domain_code + "-01",
            ),
        )
    title = checker.text(data, "title", path, 300)
    guidance = checker.text(data, "guidance", path)
    evidence = checker.text(data, "evidence_expected", path)
    weight = checker.weight(data, "weight", path)
    eliminatory = data.get("eliminatory", False)
    if not isinstance(eliminatory, bool):
        checker.error(
            data.lines["eliminatory"], f"{path}.eliminatory", _l("true or false is expected.")
        )
        eliminatory = False
    min_level = data.get("min_level", 0)
    if eliminatory and "min_level" not in data:
        checker.error(
            data.line,
            f"{path}.min_level",
            _l("An eliminatory criterion needs a minimum level from 1 to 3."),
        )
    else:
        error = rules.min_level_error(eliminatory, min_level)
        if error:
            checker.error(data.lines.get("min_level", data.line), f"{path}.min_level", error)
            min_level = 0
    applies_if = data.get("applies_if")
    if applies_if is not None and applies_if not in rules.ATTRIBUTES:
        checker.error(
            data.lines["applies_if"],
            f"{path}.applies_if",
            _l(
                "Unknown solution attribute; use one of: %(names)s.",
                names=", ".join(rules.ATTRIBUTES),
            ),
        )
        applies_if = None
    public = data.get("public", False)
    if not isinstance(public, bool):
        checker.error(data.lines["public"], f"{path}.public", _l("true or false is expected."))
        public = False
    levels = _check_levels(checker, data, path)
    return CriterionDoc(
        code=code,
        title=title,
        guidance=guidance,
        evidence_expected=evidence,
        weight=weight,
        levels=levels,
        eliminatory=eliminatory,
        min_level=min_level if isinstance(min_level, int) else 0,
        applies_if=applies_if,
        public=public,
    )


def _check_levels(checker: _Checker, data: _Mapping, path: str) -> tuple[LevelDoc, ...]:
    if "levels" not in data:
        return ()
    raw_levels = data["levels"]
    levels_path = f"{path}.levels"
    if not isinstance(raw_levels, list):
        checker.error(
            data.lines["levels"], levels_path, _l("A list of the four levels 0 to 3 is expected.")
        )
        return ()
    levels: dict[int, LevelDoc] = {}
    for index, raw in enumerate(raw_levels):
        level_path = f"{levels_path}[{index}]"
        level = checker.mapping(
            raw, level_path, raw_levels.lines[index], {"value", "label", "descriptor"}, set()
        )
        if level is None:
            continue
        value = level.get("value")
        label = checker.text(level, "label", level_path, 100)
        descriptor = checker.text(level, "descriptor", level_path)
        if "value" not in level:
            continue
        if not isinstance(value, int) or isinstance(value, bool) or value not in rules.LEVEL_VALUES:
            checker.error(
                level.lines["value"], f"{level_path}.value", _l("A level is 0, 1, 2 or 3.")
            )
        elif value in levels:
            checker.error(
                level.lines["value"],
                f"{level_path}.value",
                _l("Level %(value)s is described twice.", value=value),
            )
        else:
            levels[value] = LevelDoc(value=value, label=label, descriptor=descriptor)
    missing = [str(v) for v in rules.LEVEL_VALUES if v not in levels]
    if missing:
        checker.error(
            data.lines["levels"],
            levels_path,
            _l(
                "Missing levels: %(values)s (each criterion describes levels 0 to 3).",
                values=", ".join(missing),
            ),
        )
    return tuple(levels[v] for v in sorted(levels))


# --- Writing -------------------------------------------------------------------------------


def _number(value: float) -> int | float:
    """Weights and thresholds written as integers when they are whole numbers."""
    return int(value) if float(value).is_integer() else float(value)


def as_data(document: FrameworkDocument) -> dict:
    """The plain data of the YAML format (keys in the documented order)."""
    domains = []
    for domain in document.domains:
        criteria = []
        for criterion in domain.criteria:
            item: dict = {
                "code": criterion.code,
                "title": criterion.title,
                "guidance": criterion.guidance,
                "evidence_expected": criterion.evidence_expected,
                "weight": _number(criterion.weight),
            }
            if criterion.eliminatory:
                item["eliminatory"] = True
                item["min_level"] = criterion.min_level
            if criterion.applies_if:
                item["applies_if"] = criterion.applies_if
            if criterion.public:
                item["public"] = True
            item["levels"] = [
                {"value": level.value, "label": level.label, "descriptor": level.descriptor}
                for level in criterion.levels
            ]
            criteria.append(item)
        item = {
            "code": domain.code,
            "name": domain.name,
            "description": domain.description,
            "weight": _number(domain.weight),
        }
        if domain.floor is not None:
            item["floor"] = _number(domain.floor)
        item["criteria"] = criteria
        domains.append(item)
    return {
        "framework": {"code": document.framework_code, "name": document.framework_name},
        "version": document.version,
        "label": document.label,
        "thresholds": {key: _number(value) for key, value in document.thresholds.items()},
        "domains": domains,
    }


class _Dumper(yaml.SafeDumper):
    """Block style, lists indented under their key, long texts folded, keys in order."""

    def increase_indent(self, flow: bool = False, indentless: bool = False):
        return super().increase_indent(flow, False)


def _represent_str(dumper: yaml.SafeDumper, value: str):
    style = ">" if len(value) > 80 and "\n" not in value.strip() else None
    if "\n" in value.strip():
        style = "|"
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def dump(document: FrameworkDocument) -> str:
    """The YAML text of ``document``; ``parse(dump(d)) == d``."""
    return yaml.dump(
        as_data(document),
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        width=100,
        default_flow_style=False,
    )


def document_of(version) -> FrameworkDocument:
    """A stored ``FrameworkVersion`` as a document (for export and comparison)."""
    return FrameworkDocument(
        framework_code=version.framework.code,
        framework_name=version.framework.name,
        version=version.version,
        label=version.label,
        thresholds={key: value for key, value in (version.thresholds or {}).items()},
        domains=tuple(
            DomainDoc(
                code=domain.code,
                name=domain.name,
                description=domain.description or "",
                weight=float(domain.weight),
                floor=None if domain.floor is None else float(domain.floor),
                criteria=tuple(
                    CriterionDoc(
                        code=criterion.code,
                        title=criterion.title,
                        guidance=criterion.guidance or "",
                        evidence_expected=criterion.evidence_expected or "",
                        weight=float(criterion.weight),
                        eliminatory=bool(criterion.eliminatory),
                        min_level=int(criterion.min_level),
                        applies_if=criterion.applies_if,
                        public=bool(criterion.public),
                        levels=tuple(
                            LevelDoc(value=lv.value, label=lv.label, descriptor=lv.descriptor or "")
                            for lv in criterion.levels
                        ),
                    )
                    for criterion in domain.criteria
                ),
            )
            for domain in version.domains
        ),
    )
