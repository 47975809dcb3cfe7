"""Map rendering: Qt-free preparation (:mod:`.classify`, :mod:`.scene`) and QtGui painting
(:mod:`.map_image`), shared by the workbook and the desktop app.

Only :mod:`equityplanner.render.map_image` imports Qt; import it explicitly.
"""
