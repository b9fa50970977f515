#!/usr/bin/env bash
# Installs what budgetgen and its tests need on a fresh Debian machine: system packages (when missing and we
# may install them), then budgetgen itself with its test extras. Safe to run again: it skips what is there.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
fc-list :lang=zh 2>/dev/null | grep -q . || need+=(fonts-noto-cjk)
if [ "${BUDGETGEN_WITH_OFFICE:-0}" = 1 ]; then
  # Writer converts the DOCX, Calc the XLSX, Chromium takes screenshots for the preview's reload test
  command -v soffice >/dev/null 2>&1 || need+=(libreoffice-writer-nogui)
  dpkg -s libreoffice-calc-nogui >/dev/null 2>&1 || need+=(libreoffice-calc-nogui)
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  # Times New Roman's metrics for LibreOffice's DOCX checks (else DejaVu Serif's wider digits wrap amounts)
  fc-list 2>/dev/null | grep -q "Liberation Serif" || need+=(fonts-liberation)
fi
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "安装系统软件包：${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  elif command -v sudo >/dev/null 2>&1; then
    sudo apt-get update -qq
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "提示：缺少系统软件包 ${need[*]}，请让管理员安装（apt-get install ${need[*]}）。" >&2
  fi
fi

python3 -m pip install -q --disable-pip-version-check -e ".[test]"
