"""Filling in the check-in form the way people do: by keyboard alone, or by tapping.

Everything is found by field names and values, never by visible wording, so the same
steps work in every language.
"""

from __future__ import annotations

_ACTIVE = """() => {
  const e = document.activeElement;
  const more = e.closest("details.more-about-today");
  return {name: e.name || "", type: e.type || "", value: e.value || "", tag: e.tagName,
          checked: !!e.checked, inForm: !!e.closest("form.checkin-form"),
          moreSummary: e.tagName === "SUMMARY" && !!more && e.parentElement === more, open: !!(more && more.open)};
}"""

# The fields a person can reach: those folded away under "More about today" count once it is open.
_FIELD_ORDER = """() => {
  const form = document.querySelector("form.checkin-form");
  const names = [...form.elements]
    .filter(e => e.name && e.type !== "hidden" && e.type !== "submit" && e.checkVisibility())
    .map(e => e.name);
  return [...new Set(names)];
}"""

RATING_ROW = "form.checkin-form fieldset.rating-row"


def _wanted(answers: dict, name: str):
    value = answers.get(name)
    if isinstance(value, (list, tuple, set)):
        return {str(item) for item in value}
    return value


def radio_values(page, name: str) -> list[str]:
    return page.eval_on_selector_all(f"form.checkin-form input[name='{name}']", "els => els.map(e => e.value)")


def checked_value(page, name: str) -> str | None:
    box = page.locator(f"form.checkin-form input[name='{name}']:checked")
    return box.get_attribute("value") if box.count() == 1 else None


def choose_with_arrows(page, name: str, current: str, wanted: str) -> None:
    """On a focused radio: arrow keys move the choice; Space picks the focused one."""
    values = radio_values(page, name)
    here, target = values.index(current), values.index(str(wanted))
    if here == target:
        page.keyboard.press("Space")
    for _step in range(target - here):
        page.keyboard.press("ArrowRight")
    for _step in range(here - target):
        page.keyboard.press("ArrowLeft")
    assert checked_value(page, name) == str(wanted), f"{name}: arrow keys did not choose {wanted}"


def fill_by_keyboard(page, answers: dict, max_presses: int = 250) -> list[str]:
    """Tab from the top of the page through the whole form, answering each field as focus
    reaches it, then press Enter on the save button. Returns the fields in focus order."""
    focus_order: list[str] = []
    for _press in range(max_presses):
        page.keyboard.press("Tab")
        active = page.evaluate(_ACTIVE)
        if not active["inForm"]:
            continue
        name = active["name"]
        if active["tag"] == "SUMMARY":
            wants_more = any(key not in _rating_names(page) for key in answers)
            if active["moreSummary"] and wants_more and not active["open"]:
                page.keyboard.press("Enter")
            continue
        if active["type"] == "submit":
            expected_order = page.evaluate(_FIELD_ORDER)
            assert focus_order == expected_order, "focus order differs from the form's reading order"
            page.keyboard.press("Enter")
            return focus_order
        if name not in focus_order:
            focus_order.append(name)
        wanted = _wanted(answers, name)
        if wanted is None:
            continue
        if active["type"] == "radio":
            choose_with_arrows(page, name, active["value"], wanted)
        elif active["type"] == "checkbox":
            should_tick = active["value"] in wanted if isinstance(wanted, set) else bool(wanted)
            if should_tick != active["checked"]:
                page.keyboard.press("Space")
        elif active["tag"] == "TEXTAREA":
            page.keyboard.type(str(wanted))
    raise AssertionError(f"the save button was not reached after {max_presses} presses of Tab")


def _rating_names(page) -> set[str]:
    return set(page.eval_on_selector_all(f"{RATING_ROW} input", "els => els.map(e => e.name)"))


def open_more_about_today(page) -> None:
    more = page.locator("form.checkin-form details.more-about-today")
    if more.count() and not more.evaluate("d => d.open"):
        more.locator("summary").first.click()


def _label_for(page, name: str, value: str):
    box = page.locator(f"form.checkin-form input[name='{name}'][value='{value}']")
    return box, page.locator(f"form.checkin-form label[for='{box.get_attribute('id')}']")


def tap_choice(page, name: str, value) -> None:
    box, label = _label_for(page, name, str(value))
    if not label.is_visible():
        open_more_about_today(page)
    label.tap()
    assert box.is_checked(), f"{name}: tapping {value} did not choose it"


def fill_by_tapping(page, answers: dict) -> None:
    """Tap each answer's label (the large visible target), type the free text, tap save."""
    for name, wanted in answers.items():
        if isinstance(wanted, (list, tuple, set)):
            for value in wanted:
                tap_choice(page, name, value)
        elif isinstance(wanted, bool):
            box = page.locator(f"form.checkin-form input[name='{name}']")
            if wanted != box.is_checked():
                open_more_about_today(page)
                page.locator(f"form.checkin-form label[for='{box.get_attribute('id')}']").tap()
        elif page.locator(f"form.checkin-form textarea[name='{name}']").count():
            open_more_about_today(page)
            page.locator(f"form.checkin-form textarea[name='{name}']").tap()
            page.keyboard.type(str(wanted))
        else:
            tap_choice(page, name, wanted)
    page.locator("form.checkin-form button[type=submit]").tap()
