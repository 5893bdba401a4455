"""ESDL Lab: the research environment of ESA's Deep Earth System Data Lab inside JupyterLab."""

__version__ = "0.1.0"


def _jupyter_labextension_paths():
    return [{"src": "labextension", "dest": "@esdl-lab/labextension"}]


def _jupyter_server_extension_points():
    from .extension import ESDLLab

    return [{"module": "esdl_lab", "app": ESDLLab}]
