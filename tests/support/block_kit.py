"""What Slack's Block Kit accepts: the checks the fake Slack runs on messages and views.

``check_message`` and ``check_view`` answer ``None`` when Slack would accept the arguments, else the
error Slack would answer (``invalid_blocks``, ``invalid_arguments``, ...) with its messages, worded as
Slack words them (``[ERROR] <problem> [json-pointer:<where>]``). ``slack_would_reject`` is the same
for unit tests of Block Kit builders, without a server.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Final

# --------------------------------------------------------------------------------------------------
# Slack's documented limits, in one place. Values are maximums (characters or items).
# --------------------------------------------------------------------------------------------------
LIMITS: Final[Mapping[str, int]] = MappingProxyType(
    {
        "message_text": 40_000,
        "message_blocks": 50,
        "view_blocks": 100,
        "view_title": 24,
        "view_submit": 24,
        "view_close": 24,
        "callback_id": 255,
        "private_metadata": 3000,
        "external_id": 255,
        "block_id": 255,
        "action_id": 255,
        "section_text": 3000,
        "section_fields": 10,
        "section_field_text": 2000,
        "header_text": 150,
        "context_elements": 10,
        "actions_elements": 25,
        "input_label": 2000,
        "input_hint": 2000,
        "plain_text_input_max_length": 3000,
        "plain_text_input_min_length": 3000,
        "placeholder": 150,
        "select_options": 100,
        "select_option_groups": 100,
        "option_group_label": 75,
        "option_text": 75,
        "option_value": 150,
        "option_description": 75,
        "option_url": 3000,
        "checkbox_radio_options": 10,
        "overflow_options": 5,
        "button_text": 75,
        "button_value": 2000,
        "button_url": 3000,
        "image_url": 3000,
        "image_alt_text": 2000,
        "image_title": 2000,
        "confirm_title": 100,
        "confirm_text": 300,
        "confirm_button": 30,
        "markdown_block_text": 12_000,
    }
)


@dataclass(frozen=True)
class Rejection:
    """What Slack answers to content it refuses: ``{"ok": false, "error": error}`` and, when there are
    any, ``response_metadata.messages``."""

    error: str
    messages: list[str]


def _refused(error: str, messages: list[str] | None = None) -> Rejection:
    return Rejection(error, list(messages or []))


# --------------------------------------------------------------------------------------------------
# Validation (what Slack rejects). Messages use Slack's wording and JSON pointers.
# --------------------------------------------------------------------------------------------------
_MESSAGE_BLOCKS: Final = frozenset(
    {"section", "divider", "image", "actions", "context", "header", "rich_text", "file", "video", "markdown"}
)
_VIEW_BLOCKS: Final = frozenset(
    {"section", "divider", "image", "actions", "context", "input", "header", "rich_text", "video"}
)
_SELECTS: Final = frozenset(
    {"static_select", "external_select", "users_select", "conversations_select", "channels_select"}
)
_MULTI_SELECTS: Final = frozenset({f"multi_{s}" for s in _SELECTS})
_ACTION_ELEMENTS: Final = (
    frozenset(
        {
            "button",
            "checkboxes",
            "datepicker",
            "datetimepicker",
            "overflow",
            "radio_buttons",
            "timepicker",
            "workflow_button",
        }
    )
    | _SELECTS
    | _MULTI_SELECTS
)
_ACCESSORY_ELEMENTS: Final = (_ACTION_ELEMENTS - {"datetimepicker"}) | {"image"}
_INPUT_ELEMENTS: Final = (
    frozenset(
        {
            "checkboxes",
            "datepicker",
            "datetimepicker",
            "email_text_input",
            "file_input",
            "number_input",
            "plain_text_input",
            "radio_buttons",
            "rich_text_input",
            "timepicker",
            "url_text_input",
        }
    )
    | _SELECTS
    | _MULTI_SELECTS
)
# The fields Slack documents for each block, element and composition object. Any other key is refused
# ("invalid additional property"), as Slack refuses it: a misspelt field never passes silently.
_BLOCK_FIELDS: Final[Mapping[str, frozenset[str]]] = MappingProxyType(
    {
        "actions": frozenset({"type", "block_id", "elements"}),
        "context": frozenset({"type", "block_id", "elements"}),
        "divider": frozenset({"type", "block_id"}),
        "file": frozenset({"type", "block_id", "external_id", "source"}),
        "header": frozenset({"type", "block_id", "text"}),
        "image": frozenset({"type", "block_id", "image_url", "slack_file", "alt_text", "title"}),
        "input": frozenset({"type", "block_id", "label", "element", "dispatch_action", "hint", "optional"}),
        "markdown": frozenset({"type", "block_id", "text"}),
        "rich_text": frozenset({"type", "block_id", "elements"}),  # its inner elements are not checked
        "section": frozenset({"type", "block_id", "text", "fields", "accessory", "expand"}),
        "video": frozenset(
            {
                "type",
                "block_id",
                "alt_text",
                "author_name",
                "description",
                "provider_icon_url",
                "provider_name",
                "title",
                "title_url",
                "thumbnail_url",
                "video_url",
            }
        ),
    }
)
_INTERACTIVE: Final = frozenset({"type", "action_id", "confirm", "focus_on_load"})
_TEXT_INPUT: Final = frozenset(
    {"type", "action_id", "initial_value", "dispatch_action_config", "focus_on_load", "placeholder"}
)
_SELECT: Final = _INTERACTIVE | {"placeholder"}
_MULTI: Final = _SELECT | {"max_selected_items"}
_ELEMENT_FIELDS: Final[Mapping[str, frozenset[str]]] = MappingProxyType(
    {
        "button": frozenset(
            {"type", "action_id", "text", "url", "value", "style", "confirm", "accessibility_label"}
        ),
        "checkboxes": _INTERACTIVE | {"options", "initial_options"},
        "datepicker": _INTERACTIVE | {"initial_date", "placeholder"},
        "datetimepicker": _INTERACTIVE | {"initial_date_time"},
        "email_text_input": _TEXT_INPUT,
        "file_input": frozenset({"type", "action_id", "filetypes", "max_files"}),
        "image": frozenset({"type", "alt_text", "image_url", "slack_file"}),
        "number_input": _TEXT_INPUT | {"is_decimal_allowed", "min_value", "max_value"},
        "overflow": frozenset({"type", "action_id", "options", "confirm"}),
        "plain_text_input": _TEXT_INPUT | {"multiline", "min_length", "max_length"},
        "radio_buttons": _INTERACTIVE | {"options", "initial_option"},
        "rich_text_input": _TEXT_INPUT,
        "static_select": _SELECT | {"options", "option_groups", "initial_option"},
        "external_select": _SELECT | {"initial_option", "min_query_length"},
        "users_select": _SELECT | {"initial_user"},
        "conversations_select": _SELECT
        | {"initial_conversation", "default_to_current_conversation", "response_url_enabled", "filter"},
        "channels_select": _SELECT | {"initial_channel", "response_url_enabled"},
        "multi_static_select": _MULTI | {"options", "option_groups", "initial_options"},
        "multi_external_select": _MULTI | {"initial_options", "min_query_length"},
        "multi_users_select": _MULTI | {"initial_users"},
        "multi_conversations_select": _MULTI
        | {"initial_conversations", "default_to_current_conversation", "filter"},
        "multi_channels_select": _MULTI | {"initial_channels"},
        "timepicker": _INTERACTIVE | {"initial_time", "placeholder", "timezone"},
        "url_text_input": _TEXT_INPUT,
        "workflow_button": frozenset(
            {"type", "action_id", "text", "workflow", "style", "accessibility_label"}
        ),
    }
)
_TEXT_FIELDS: Final[Mapping[str, frozenset[str]]] = MappingProxyType(
    {"plain_text": frozenset({"type", "text", "emoji"}), "mrkdwn": frozenset({"type", "text", "verbatim"})}
)
_OPTION_FIELDS: Final = frozenset({"text", "value", "description", "url"})  # url: overflow menus only
_OPTION_GROUP_FIELDS: Final = frozenset({"label", "options"})
_CONFIRM_FIELDS: Final = frozenset({"title", "text", "confirm", "deny", "style"})
_FILTER_FIELDS: Final = frozenset({"include", "exclude_external_shared_channels", "exclude_bot_users"})
_DISPATCH_FIELDS: Final = frozenset({"trigger_actions_on"})
_VIEW_FIELDS: Final[Mapping[str, frozenset[str]]] = MappingProxyType(
    {
        "modal": frozenset(
            {
                "type",
                "title",
                "blocks",
                "close",
                "submit",
                "private_metadata",
                "callback_id",
                "clear_on_close",
                "notify_on_close",
                "external_id",
            }
        ),
        "home": frozenset({"type", "blocks", "private_metadata", "callback_id", "external_id"}),
    }
)
# Fields that must be true or false wherever they appear.
_BOOLEAN_FIELDS: Final = frozenset(
    {
        "emoji",
        "verbatim",
        "optional",
        "dispatch_action",
        "multiline",
        "focus_on_load",
        "expand",
        "clear_on_close",
        "notify_on_close",
        "is_decimal_allowed",
        "default_to_current_conversation",
        "response_url_enabled",
        "exclude_external_shared_channels",
        "exclude_bot_users",
    }
)
_DATE_RE: Final = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIME_RE: Final = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class _Checker:
    """Collects every problem found in one message's or view's blocks."""

    def __init__(self, surface: str) -> None:
        self.surface = surface  # "message", "modal" or "home"
        self.errors: list[str] = []
        self.block_ids: set[str] = set()

    def error(self, problem: str, pointer: str) -> None:
        self.errors.append(f"[ERROR] {problem} [json-pointer:{pointer}]")

    def fields(self, obj: Mapping[str, Any], allowed: frozenset[str], pointer: str) -> None:
        """Slack refuses any key it does not document for the object, and a non-boolean flag."""
        for key, value in obj.items():
            if key not in allowed:
                self.error(f"invalid additional property: {key}", pointer)
            elif key in _BOOLEAN_FIELDS and not isinstance(value, bool):
                self.error("must be a boolean", f"{pointer}/{key}")

    def max_chars(self, value: Any, limit: str, pointer: str, *, required: bool = False) -> None:
        if value is None:
            if required:
                self.error("missing required field", pointer)
            return
        if not isinstance(value, str):
            self.error("must be a string", pointer)
        elif len(value) > LIMITS[limit]:
            self.error(f"must be less than {LIMITS[limit] + 1} characters", pointer)
        elif required and not value:
            self.error("must be more than 0 characters", pointer)

    def max_items(self, value: Any, limit: str, pointer: str, *, required: bool = False) -> list[Any]:
        if value is None:
            if required:
                self.error("missing required field", pointer)
            return []
        if not isinstance(value, list):
            self.error("must be an array", pointer)
            return []
        if len(value) > LIMITS[limit]:
            self.error(f"must be less than {LIMITS[limit] + 1} items", pointer)
        return value

    def text(
        self, obj: Any, pointer: str, limit: str, *, plain_only: bool = False, required: bool = True
    ) -> None:
        """A text object: {"type": "plain_text"|"mrkdwn", "text": str}, 1..limit characters."""
        if obj is None:
            if required:
                self.error("missing required field", pointer)
            return
        if not isinstance(obj, dict):
            self.error("must be a text object", pointer)
            return
        kind = obj.get("type")
        if kind not in ("plain_text", "mrkdwn"):
            self.error(f"unsupported type: {kind}", f"{pointer}/type")
        elif plain_only and kind != "plain_text":
            self.error("must be plain_text", f"{pointer}/type")
        else:
            self.fields(obj, _TEXT_FIELDS[kind], pointer)  # emoji on plain_text only, verbatim on mrkdwn
        self.max_chars(obj.get("text"), limit, f"{pointer}/text", required=True)

    def blocks(self, blocks: Any, pointer: str, limit: str) -> None:
        for i, block in enumerate(self.max_items(blocks, limit, pointer)):
            self.block(block, f"{pointer}/{i}")

    def block(self, block: Any, pointer: str) -> None:
        if not isinstance(block, dict):
            self.error("must be an object", pointer)
            return
        kind = block.get("type")
        allowed = _MESSAGE_BLOCKS if self.surface == "message" else _VIEW_BLOCKS
        if kind not in allowed:
            where = "messages" if self.surface == "message" else "views"
            self.error(f"unsupported type: {kind} (not allowed in {where})", f"{pointer}/type")
            return
        self.fields(block, _BLOCK_FIELDS[kind], pointer)
        block_id = block.get("block_id")
        if block_id is not None:
            self.max_chars(block_id, "block_id", f"{pointer}/block_id", required=True)
            if block_id in self.block_ids:
                self.error(f"duplicate block_id: {block_id}", f"{pointer}/block_id")
            self.block_ids.add(str(block_id))
        action_ids: set[str] = set()
        if kind == "section":
            if block.get("text") is None and block.get("fields") is None:
                self.error("must provide either text or fields", pointer)
            self.text(block.get("text"), f"{pointer}/text", "section_text", required=False)
            for i, item in enumerate(
                self.max_items(block.get("fields"), "section_fields", f"{pointer}/fields")
            ):
                self.text(item, f"{pointer}/fields/{i}", "section_field_text")
            if block.get("accessory") is not None:
                self.element(block["accessory"], f"{pointer}/accessory", _ACCESSORY_ELEMENTS, action_ids)
        elif kind == "header":
            self.text(block.get("text"), f"{pointer}/text", "header_text", plain_only=True)
        elif kind == "context":
            items = self.max_items(
                block.get("elements"), "context_elements", f"{pointer}/elements", required=True
            )
            if block.get("elements") == []:
                self.error("must be more than 0 items", f"{pointer}/elements")
            for i, item in enumerate(items):
                if isinstance(item, dict) and item.get("type") == "image":
                    self.fields(item, _ELEMENT_FIELDS["image"], f"{pointer}/elements/{i}")
                    self.image(item, f"{pointer}/elements/{i}")
                else:
                    self.text(item, f"{pointer}/elements/{i}", "section_text")
        elif kind == "actions":
            items = self.max_items(
                block.get("elements"), "actions_elements", f"{pointer}/elements", required=True
            )
            if block.get("elements") == []:
                self.error("must be more than 0 items", f"{pointer}/elements")
            for i, item in enumerate(items):
                self.element(item, f"{pointer}/elements/{i}", _ACTION_ELEMENTS, action_ids)
        elif kind == "input":
            self.text(block.get("label"), f"{pointer}/label", "input_label", plain_only=True)
            self.text(block.get("hint"), f"{pointer}/hint", "input_hint", plain_only=True, required=False)
            if "elements" in block:
                self.error(
                    "input blocks take exactly one element, in the element field", f"{pointer}/elements"
                )
            if not isinstance(block.get("element"), dict):
                self.error("missing required field: element", f"{pointer}/element")
            else:
                self.element(block["element"], f"{pointer}/element", _INPUT_ELEMENTS, action_ids)
        elif kind == "image":
            self.image(block, pointer)
            self.text(block.get("title"), f"{pointer}/title", "image_title", plain_only=True, required=False)
        elif kind == "markdown":
            self.max_chars(block.get("text"), "markdown_block_text", f"{pointer}/text", required=True)
        elif kind == "rich_text" and not isinstance(block.get("elements"), list):
            self.error("missing required field: elements", f"{pointer}/elements")

    def image(self, obj: dict[str, Any], pointer: str) -> None:
        if obj.get("image_url") is None and obj.get("slack_file") is None:
            self.error("must provide either image_url or slack_file", pointer)
        self.max_chars(obj.get("image_url"), "image_url", f"{pointer}/image_url")
        self.max_chars(obj.get("alt_text"), "image_alt_text", f"{pointer}/alt_text", required=True)

    def element(self, elem: Any, pointer: str, allowed: frozenset[str], action_ids: set[str]) -> None:
        if not isinstance(elem, dict):
            self.error("must be an object", pointer)
            return
        kind = elem.get("type")
        if kind not in allowed:
            self.error(f"unsupported type: {kind}", f"{pointer}/type")
            return
        self.fields(elem, _ELEMENT_FIELDS[kind], pointer)
        action_id = elem.get("action_id")
        if action_id is not None:
            self.max_chars(action_id, "action_id", f"{pointer}/action_id", required=True)
            if action_id in action_ids:
                self.error(f"duplicate action_id: {action_id}", f"{pointer}/action_id")
            action_ids.add(str(action_id))
        self.text(
            elem.get("placeholder"), f"{pointer}/placeholder", "placeholder", plain_only=True, required=False
        )
        if elem.get("confirm") is not None:
            self.confirm(elem["confirm"], f"{pointer}/confirm")
        for key, allowed_keys in (("filter", _FILTER_FIELDS), ("dispatch_action_config", _DISPATCH_FIELDS)):
            if key not in elem:
                continue
            if isinstance(elem[key], dict):
                self.fields(elem[key], allowed_keys, f"{pointer}/{key}")
            else:
                self.error("must be an object", f"{pointer}/{key}")
        if kind == "button":
            self.text(elem.get("text"), f"{pointer}/text", "button_text", plain_only=True)
            self.max_chars(elem.get("value"), "button_value", f"{pointer}/value")
            self.max_chars(elem.get("url"), "button_url", f"{pointer}/url")
            if elem.get("style") not in (None, "primary", "danger"):
                self.error("must be one of primary, danger", f"{pointer}/style")
        elif kind == "image":
            self.image(elem, pointer)
        elif kind == "plain_text_input":
            self.plain_text_input(elem, pointer)
        elif kind == "datepicker" and elem.get("initial_date") is not None:
            if not _is_date(elem["initial_date"]):
                self.error("must be a valid date in the format YYYY-MM-DD", f"{pointer}/initial_date")
        elif kind == "timepicker" and elem.get("initial_time") is not None:
            if not (isinstance(elem["initial_time"], str) and _TIME_RE.match(elem["initial_time"])):
                self.error("must be a valid time in the format HH:mm", f"{pointer}/initial_time")
        elif kind in ("static_select", "multi_static_select"):
            self.static_select(elem, pointer)
        elif kind in ("checkboxes", "radio_buttons", "overflow"):
            limit = "overflow_options" if kind == "overflow" else "checkbox_radio_options"
            options = self.max_items(elem.get("options"), limit, f"{pointer}/options", required=True)
            if elem.get("options") == []:
                self.error("must be more than 0 items", f"{pointer}/options")
            for i, option in enumerate(options):
                in_overflow = kind == "overflow"
                self.option(option, f"{pointer}/options/{i}", plain_only=in_overflow, url_allowed=in_overflow)
            self.initial_options(elem, options, pointer)

    def plain_text_input(self, elem: dict[str, Any], pointer: str) -> None:
        for key, limit in (
            ("max_length", "plain_text_input_max_length"),
            ("min_length", "plain_text_input_min_length"),
        ):
            value = elem.get(key)
            if value is None:
                continue
            if (
                not isinstance(value, int)
                or isinstance(value, bool)
                or value < (1 if key == "max_length" else 0)
            ):
                self.error("must be a positive integer", f"{pointer}/{key}")
            elif value > LIMITS[limit]:
                self.error(f"must be less than {LIMITS[limit] + 1}", f"{pointer}/{key}")
        max_length, min_length = elem.get("max_length"), elem.get("min_length")
        if isinstance(max_length, int) and isinstance(min_length, int) and min_length > max_length:
            self.error("min_length must not be greater than max_length", f"{pointer}/min_length")
        initial = elem.get("initial_value")
        if initial is not None:
            cap = max_length if isinstance(max_length, int) else LIMITS["plain_text_input_max_length"]
            if not isinstance(initial, str):
                self.error("must be a string", f"{pointer}/initial_value")
            elif len(initial) > cap:
                self.error(f"must be less than {cap + 1} characters", f"{pointer}/initial_value")

    def static_select(self, elem: dict[str, Any], pointer: str) -> None:
        has_options, has_groups = elem.get("options") is not None, elem.get("option_groups") is not None
        if has_options == has_groups:
            self.error("must provide exactly one of options or option_groups", pointer)
        options = list(self.max_items(elem.get("options"), "select_options", f"{pointer}/options"))
        for i, option in enumerate(options):
            self.option(option, f"{pointer}/options/{i}", plain_only=True)
        groups = self.max_items(elem.get("option_groups"), "select_option_groups", f"{pointer}/option_groups")
        for g, group in enumerate(groups):
            gp = f"{pointer}/option_groups/{g}"
            if not isinstance(group, dict):
                self.error("must be an object", gp)
                continue
            self.fields(group, _OPTION_GROUP_FIELDS, gp)
            self.text(group.get("label"), f"{gp}/label", "option_group_label", plain_only=True)
            group_options = self.max_items(
                group.get("options"), "select_options", f"{gp}/options", required=True
            )
            for i, option in enumerate(group_options):
                self.option(option, f"{gp}/options/{i}", plain_only=True)
            options.extend(group_options)
        self.initial_options(elem, options, pointer)

    def initial_options(self, elem: dict[str, Any], options: list[Any], pointer: str) -> None:
        # Slack rejects an initial option that is not exactly one of the options.
        chosen: list[tuple[str, Any]] = []
        if elem.get("initial_option") is not None:
            chosen.append(("initial_option", elem["initial_option"]))
        if isinstance(elem.get("initial_options"), list):
            chosen.extend((f"initial_options/{i}", o) for i, o in enumerate(elem["initial_options"]))
        keys = {_option_key(o) for o in options}
        for where, option in chosen:
            if isinstance(option, dict):
                self.fields(option, _OPTION_FIELDS, f"{pointer}/{where}")
            if _option_key(option) not in keys:
                self.error("must match one of the provided options", f"{pointer}/{where}")

    def option(self, option: Any, pointer: str, *, plain_only: bool, url_allowed: bool = False) -> None:
        if not isinstance(option, dict):
            self.error("must be an object", pointer)
            return
        self.fields(option, _OPTION_FIELDS if url_allowed else _OPTION_FIELDS - {"url"}, pointer)
        self.text(option.get("text"), f"{pointer}/text", "option_text", plain_only=plain_only)
        self.max_chars(option.get("value"), "option_value", f"{pointer}/value", required=True)
        self.text(option.get("description"), f"{pointer}/description", "option_description", required=False)
        self.max_chars(option.get("url"), "option_url", f"{pointer}/url")

    def confirm(self, obj: Any, pointer: str) -> None:
        if not isinstance(obj, dict):
            self.error("must be an object", pointer)
            return
        self.fields(obj, _CONFIRM_FIELDS, pointer)
        if obj.get("style") not in (None, "primary", "danger"):
            self.error("must be one of primary, danger", f"{pointer}/style")
        self.text(obj.get("title"), f"{pointer}/title", "confirm_title", plain_only=True)
        self.text(obj.get("text"), f"{pointer}/text", "confirm_text")
        self.text(obj.get("confirm"), f"{pointer}/confirm", "confirm_button", plain_only=True)
        self.text(obj.get("deny"), f"{pointer}/deny", "confirm_button", plain_only=True)


def _option_key(option: Any) -> tuple[Any, Any]:
    if not isinstance(option, dict):
        return (None, None)
    text = option.get("text")
    return (option.get("value"), text.get("text") if isinstance(text, dict) else text)


def _is_date(value: Any) -> bool:
    if not isinstance(value, str) or not _DATE_RE.match(value):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def check_message(args: Mapping[str, Any]) -> Rejection | None:
    """chat.postMessage / chat.update / chat.postEphemeral content checks; None when valid."""
    text = args.get("text")
    if isinstance(text, str) and len(text) > LIMITS["message_text"]:
        return _refused("msg_too_long")
    blocks = args.get("blocks")
    if not text and not blocks and not args.get("attachments"):
        return _refused("no_text")
    if blocks is None:
        return None
    if not isinstance(blocks, list):
        return _refused("invalid_blocks_format", ["[ERROR] must be an array [json-pointer:/blocks]"])
    checker = _Checker("message")
    checker.blocks(blocks, "/blocks", "message_blocks")
    return _refused("invalid_blocks", checker.errors) if checker.errors else None


def slack_would_reject(*, message: Mapping[str, Any] | None = None, view: Any = None) -> list[str]:
    """What Slack would say is wrong with a message's arguments or a view; [] when it would accept it.

    For unit tests of Block Kit builders, without a server.
    """
    rejection = (
        check_message(message) if message is not None else check_view(view, allowed_types=("modal", "home"))
    )
    if rejection is None:
        return []
    return [rejection.error, *rejection.messages]


def check_view(view: Any, *, allowed_types: tuple[str, ...]) -> Rejection | None:
    """views.* view checks; None when valid."""
    if not isinstance(view, dict):
        return _refused("invalid_arguments", ["[ERROR] missing required field: view [json-pointer:/view]"])
    kind = view.get("type")
    checker = _Checker(kind if kind in ("modal", "home") else "modal")
    if kind not in allowed_types:
        checker.error(f"must be one of {', '.join(allowed_types)}", "/view/type")
    elif kind in _VIEW_FIELDS:
        checker.fields(view, _VIEW_FIELDS[kind], "/view")
    if kind == "modal":
        checker.text(view.get("title"), "/view/title", "view_title", plain_only=True)
        checker.text(view.get("submit"), "/view/submit", "view_submit", plain_only=True, required=False)
        checker.text(view.get("close"), "/view/close", "view_close", plain_only=True, required=False)
        blocks = view.get("blocks")
        has_input = isinstance(blocks, list) and any(
            isinstance(b, dict) and b.get("type") == "input" for b in blocks
        )
        if has_input and view.get("submit") is None:
            checker.error("submit is required when a modal contains input blocks", "/view/submit")
    checker.max_chars(view.get("callback_id"), "callback_id", "/view/callback_id")
    checker.max_chars(view.get("private_metadata"), "private_metadata", "/view/private_metadata")
    checker.max_chars(view.get("external_id"), "external_id", "/view/external_id")
    checker.blocks(view.get("blocks"), "/view/blocks", "view_blocks")
    if view.get("blocks") is None:
        checker.error("missing required field: blocks", "/view/blocks")
    return _refused("invalid_arguments", checker.errors) if checker.errors else None


__all__ = ["LIMITS", "Rejection", "check_message", "check_view", "slack_would_reject"]
