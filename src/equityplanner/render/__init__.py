"""Map rendering without Qt, shared by the workbook and the desktop app.

* :mod:`.fields` and :mod:`.classify`: what the map can shade, class breaks, palettes, legends;
* :mod:`.geometry`: scene coordinates, packed rings, level of detail, views;
* :mod:`.scene`: the map of an assessment as data (:class:`~.scene.MapScene`);
* :mod:`.draw`: the one painter of every mark, drawing on a :class:`~.surface.Surface`;
* :mod:`.raster`: the headless surface (numpy and Pillow); :mod:`.map_image`: the PNG.

The canvas draws through ``equityplanner.app.qt_surface.QtSurface``, the other surface.
Nothing here imports Qt.
"""
