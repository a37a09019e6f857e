// 构建时排版公式（book_site.site.formulas 调用）：node render_math.js <MathJax 目录> <字体地址>
// 标准输入：JSON 数组 [{"tex": "...", "display": true|false}, ...]
// 标准输出：JSON {"html": [每个公式的 CHTML 或 null], "errors": [错误信息或 null], "css": "全部公式共用的样式表"}
// 与浏览器里的 tex-chtml.js 相同的 MathJax 3 组件与 TeX 宏包（含按需加载的扩展），另加辅助 MathML，
// 读屏软件读到的与浏览器排版时相同。
"use strict";
const [dir, fontURL] = process.argv.slice(2);
const MathJaxLoader = require(dir + "/node-main.js");

MathJaxLoader.init({
  loader: {
    paths: {mathjax: dir},
    load: ["input/tex", "output/chtml", "adaptors/liteDOM", "a11y/assistive-mml"],
  },
  // TeX 错误不画成红字，而是报给构建（-W 下构建失败）
  // noundefined 宏包把未定义的宏画成红字，去掉它，未定义的宏与其他 TeX 错误一样报给构建
  tex: {
    packages: {"[-]": ["noundefined"]},
    formatError: (jax, error) => { throw error; },
  },
  // scale：浏览器里的 MathJax 按周围文字的 x 高度把公式放大到 127.3%（本书字体下在 Chromium 里量得）；
  // 构建时没有周围文字可量，直接给出同一个比例，公式与原来一样大。
  chtml: {fontURL: fontURL, adaptiveCSS: true, scale: 1.273},
  startup: {typeset: false},
}).then(async (MathJax) => {
  const adaptor = MathJax.startup.adaptor;
  const items = JSON.parse(require("fs").readFileSync(0, "utf8"));
  const html = [];
  const errors = [];
  for (const item of items) {
    try {
      const node = await MathJax.tex2chtmlPromise(item.tex, {display: item.display});
      // 宽的独立公式在窄屏上横向滚动：滚动区域要能用键盘聚焦（axe 的 scrollable-region-focusable）；
      // 浏览器里的 MathJax 也给每个公式加 tabindex（为了它的右键菜单）
      if (item.display) adaptor.setAttribute(node, "tabindex", "0");
      html.push(adaptor.outerHTML(node));
      errors.push(null);
    } catch (error) {
      html.push(null);
      errors.push(String(error && error.message || error));
    }
  }
  const css = adaptor.textContent(MathJax.chtmlStylesheet());
  process.stdout.write(JSON.stringify({html, errors, css}));
}).catch((error) => {
  console.error(error && error.stack || String(error));
  process.exit(1);
});
