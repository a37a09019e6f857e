/* 本书有意用这个空文件覆盖 pydata-sphinx-theme 的 _static/scripts/fontawesome.js。
 * 原文件（约 1.5 MB，gzip 后约 540 kB，占一个章节页下载量的四成）是 Font Awesome 的
 * SVG + JS 引擎，只用于“用户自定义图标”；主题与本书用到的图标全部由主题 CSS 里的
 * Font Awesome 网页字体（_static/vendor/fontawesome/webfonts/*.woff2）显示，不需要它。
 * 见 docs/_static/book.css 与 tests/browser/test_site.py::test_theme_icons_render_from_the_webfont。
 */
