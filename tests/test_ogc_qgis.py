"""QGIS (Debian python3-qgis, headless) as a planner uses the OGC API: add the rt, rw and works
layers from ``/ogc`` and the households layer from ``/ogc/restricted`` (HTTP Basic: user name and
API token), then "Save Features As... GeoPackage".  Before issue 12 the rt and rw layers wrote 0
features ("Wrong field type for fid": their string ids were a property named ``fid``)."""

from __future__ import annotations

import json
import subprocess
import textwrap
from pathlib import Path

import pytest

from tests.conftest import PASSWORD, location_of, start_server, stop_server
from tests.test_store_sql import _qgis_env, _system_qgis

QGIS_SAVE_AS = textwrap.dedent(
    """
    import json, os, sys
    from qgis.core import (QgsApplication, QgsCoordinateTransformContext, QgsVectorFileWriter,
                           QgsVectorLayer)
    app = QgsApplication([], False)
    app.initQgis()
    layers, out_dir = json.loads(sys.argv[1]), sys.argv[2]
    report = {}
    for name, uri in layers.items():
        layer = QgsVectorLayer(uri, name, "OAPIF")
        if not layer.isValid():
            report[name] = {"valid": False}
            continue
        read = sum(1 for _ in layer.getFeatures())
        options = QgsVectorFileWriter.SaveVectorOptions()
        options.driverName = "GPKG"
        options.layerName = name
        target = os.path.join(out_dir, name + ".gpkg")
        error, message, _, _ = QgsVectorFileWriter.writeAsVectorFormatV3(
            layer, target, QgsCoordinateTransformContext(), options
        )
        saved = QgsVectorLayer(f"{target}|layername={name}", name, "ogr")
        report[name] = {
            "valid": True,
            "read": read,
            "error": int(error),
            "message": message,
            "written": saved.featureCount() if saved.isValid() else -1,
            "fields": [f.name() for f in saved.fields()] if saved.isValid() else [],
        }
        del layer, saved
    print(json.dumps(report), flush=True)
    app.exitQgis()
    os._exit(0)  # QGIS 3.22's Python bindings crash while the interpreter tears down
    """
)


def test_qgis_saves_ogc_layers_as_geopackage(backend, demo_store, tmp_path: Path) -> None:
    python = _system_qgis()
    if python is None:
        pytest.skip("QGIS (Debian python3-qgis) is not installed")
    from geo.accounts import add_user
    from geo.tokens import new_token

    store = demo_store
    add_user(store, "planner.a", PASSWORD, "planner", kota_code="18.71")
    token = new_token(store, "planner.a")
    expected = {
        "rt": store.count("rt"),
        "rw": store.count("rw"),
        "works": store.count("works"),
        "households": int(store.read("households", kelurahan=["18.71.06.1012"]).geometry.notna().sum()),
    }
    assert expected["households"] > 0
    proc, url = start_server(location_of(store))
    try:
        public = f"{url}/ogc"
        layers = {name: f"url='{public}' typename='{name}' restrictToRequestBBOX='0'" for name in ("rt", "rw", "works")}
        layers["households"] = (
            f"url='{url}/ogc/restricted' typename='households' username='planner.a' password='{token}' "
            "restrictToRequestBBOX='0'"
        )
        out_dir = tmp_path / "saved"
        out_dir.mkdir()
        run = subprocess.run(
            [python, "-c", QGIS_SAVE_AS, json.dumps(layers), str(out_dir)],
            capture_output=True,
            text=True,
            env=_qgis_env(),
            timeout=600,
            check=True,
        )
    finally:
        stop_server(proc)
    report = json.loads(run.stdout.strip().splitlines()[-1])
    for name, count in expected.items():
        got = report[name]
        assert got["valid"], name
        assert got["error"] == 0, (name, got["message"])
        assert got["read"] == got["written"] == count, (name, got)
    assert "rt_id" in report["rt"]["fields"]
    assert "rw_id" in report["rw"]["fields"]
    assert "decile" in report["households"]["fields"]
    assert "decile" not in report["rt"]["fields"]  # the public layer has only the suppressed counts
