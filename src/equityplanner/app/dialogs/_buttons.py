"""Qt's standard buttons (OK, Cancel, the wizard's Back and Next) in the user's language.

Qt names these buttons itself, each platform its own way (``&OK`` here, ``Continue`` on macOS).
In English that is kept; in another language the catalog's words replace it, so that a Spanish
dialog has no English button (the app installs no Qt translation files).
"""

from __future__ import annotations

from PySide6.QtWidgets import QDialogButtonBox, QWizard

from equityplanner.i18n import SOURCE_LANGUAGE, _, current_language

__all__ = ["translate_button_box", "translate_wizard_buttons"]

_Standard = QDialogButtonBox.StandardButton


def _standard_texts() -> dict[QDialogButtonBox.StandardButton, str]:
    return {
        _Standard.Ok: _("OK"),
        _Standard.Cancel: _("Cancel"),
        _Standard.RestoreDefaults: _("Restore Defaults"),
    }


def translate_button_box(box: QDialogButtonBox) -> None:
    """Name ``box``'s standard buttons in the current language (Qt's names in English)."""
    if current_language() == SOURCE_LANGUAGE:
        return
    for which, text in _standard_texts().items():
        button = box.button(which)
        if button is not None:
            button.setText(text)


def translate_wizard_buttons(wizard: QWizard) -> None:
    """Name the wizard's Back, Next, Finish and Cancel in the current language."""
    if current_language() == SOURCE_LANGUAGE:
        return
    texts = {
        QWizard.WizardButton.BackButton: _("< &Back"),
        QWizard.WizardButton.NextButton: _("&Next >"),
        QWizard.WizardButton.FinishButton: _("&Finish"),
        QWizard.WizardButton.CancelButton: _("Cancel"),
    }
    for which, text in texts.items():
        wizard.setButtonText(which, text)
