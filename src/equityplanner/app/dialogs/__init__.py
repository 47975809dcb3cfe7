"""Dialogs and editors of the app, each adapting a Qt-free core model or function.

``ImportWizard``
    Neighbourhood polygons + ACS table → ``BaselineSource`` and ``Neighbourhoods``
    (:mod:`equityplanner.app.dialogs.import_wizard`).
``ParametersDialog``
    Edits ``Parameters`` (:mod:`equityplanner.app.dialogs.parameters_dialog`).
``ProjectForm``, ``NewProjectDialog``, ``NewProjectSpec``
    Edit one project's attributes; start a new project
    (:mod:`equityplanner.app.dialogs.project_form`).

Each module's docstring documents its public API.
"""

from equityplanner.app.dialogs.import_wizard import ImportWizard
from equityplanner.app.dialogs.parameters_dialog import ParametersDialog
from equityplanner.app.dialogs.project_form import NewProjectDialog, NewProjectSpec, ProjectForm

__all__ = ["ImportWizard", "NewProjectDialog", "NewProjectSpec", "ParametersDialog", "ProjectForm"]
