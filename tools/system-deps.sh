#!/usr/bin/env bash
# 本书用到的 Debian/Ubuntu 系统包，只在这里列一次；noxfile.py、.ci/run 与两个 GitHub 工作流都调用它。
#
#   tools/system-deps.sh chromium   浏览器测试：Chromium 与中文字体
#   tools/system-deps.sh tex        PDF 版：TeX Live（xelatex、xeCJK、latexmk）、字体、poppler
#   tools/system-deps.sh all        两者
#
# 只装还没装上的包（都已装好时什么也不做，也不运行 apt-get update）。root 直接用 apt-get；
# 否则用免密码的 sudo；两者都不行时说明缺什么、怎样装，以非零状态退出。
# 环境变量 RNN_BOOK_CHROMIUM 指向一个已有的浏览器（如 GitHub 的 /usr/bin/google-chrome）时，
# chromium 一项只装中文字体。
set -euo pipefail

CHROMIUM_PACKAGES=(chromium fonts-noto-cjk)
# PDF 版：xelatex 与 Sphinx 要的宏包、xeCJK、latexmk；字体（理由见 docs/_ext/book_site/rnnbook.sty）；
# 测试用的 poppler（pdffonts、pdftotext、pdfimages）
TEX_PACKAGES=(
    texlive-xetex texlive-latex-extra texlive-fonts-recommended texlive-lang-chinese latexmk
    fonts-noto-cjk fonts-texgyre fonts-texgyre-math fonts-dejavu-core poppler-utils
)

usage() {
    echo "用法：$0 chromium|tex|all ..." >&2
    exit 2
}

[ $# -gt 0 ] || usage
targets=()
for target in "$@"; do
    if [ "$target" = all ]; then targets+=(chromium tex); else targets+=("$target"); fi
done
wanted=()
for target in "${targets[@]}"; do
    case "$target" in
        chromium)
            if [ -n "${RNN_BOOK_CHROMIUM:-}" ] && [ -x "$RNN_BOOK_CHROMIUM" ]; then
                wanted+=(fonts-noto-cjk)
            else
                wanted+=("${CHROMIUM_PACKAGES[@]}")
            fi
            ;;
        tex) wanted+=("${TEX_PACKAGES[@]}") ;;
        *) usage ;;
    esac
done

if ! command -v apt-get >/dev/null || ! command -v dpkg-query >/dev/null; then
    echo "这台机器没有 apt-get：请用系统的包管理器装上与这些 Debian 包相当的软件：${wanted[*]}" >&2
    exit 1
fi

missing=()
for package in $(printf '%s\n' "${wanted[@]}" | sort -u); do
    status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
    [ "$status" = "install ok installed" ] || missing+=("$package")
done
[ ${#missing[@]} -gt 0 ] || exit 0

if [ "$(id -u)" = 0 ]; then
    sudo=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    sudo=(sudo)
else
    echo "缺少系统包 ${missing[*]}，而当前用户（$(id -un)）不是 root，也没有免密码的 sudo。" >&2
    echo "请让管理员运行：sudo apt-get install --no-install-recommends ${missing[*]}" >&2
    exit 1
fi

echo "安装系统包：${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
