#!/usr/bin/env bash
# Installs what a fresh machine lacks for ESDL Lab: Debian packages (as root), npm packages, and a Python
# virtual environment (.venv) with JupyterLab, the test tools and the esdl-lab package.
source "$(dirname "$0")/lib.sh"
ensure_system_packages
ensure_node_modules
ensure_venv
