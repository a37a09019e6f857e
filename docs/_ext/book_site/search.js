/*
 * 本书的中文搜索：查询切分、检索、排序与结果摘要（book_site/search.py 的浏览器端）。
 *
 * Sphinx 把这段代码作为中文检索的 js_splitter_code 放进 _static/language_data.js。加载它的页面
 * （搜索页）总是先加载 searchtools.js，所以这里可以替换 Search 的几个方法（Sphinx 9.0 的接口：
 * _performSearch 的参数与返回的结果数组 [文档名, 标题, 锚点, 描述, 分数, 文件名, 种类]，
 * htmlToText、makeSearchSummary）。显示结果、取页面、高亮仍用 Sphinx 自己的代码。
 * 检索在索引载入后才开始（Search.setIndex），那时这些替换早已就位。
 *
 * 索引（search.py）：每段连续汉字的二元组（单独成段的字记单字）；拉丁字母词取英文词干；
 * booktf 记每页的词频，bookreference 是参考页（API 参考、勘误……）。
 *
 * 查询：
 * - splitQuery 切出拉丁字母词与连续汉字段（与索引的切法相同）；一段汉字是一个短语；
 * - 一个短语拆成二元组（单字查含这个字的二元组），一页含有全部二元组才算命中。书里任何地方
 *   都没有的二元组（读者把两个词连着打，如“梯度消失原因”里的“失原”）不参与，于是这段查询按
 *   “梯度消失”与“原因”两部分去找；
 * - 排序：第一条是讲它的章节（标题含查询的小节优先，否则正文里出现次数最多的页）；紧接着是术语表
 *   里的定义（直接链到术语）；然后是其余标题命中、其余正文命中（按次数）；再后是部分匹配的术语与
 *   API 对象；参考页的标题与正文命中排在最后。同一页只出现一次，除非有几个小节的标题都命中；
 * - 摘要取命中的小节（或术语的定义），以整个短语第一次出现处为中心；Sphinx 随后把短语标亮。
 */

const BOOK_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff";
const BOOK_TOKEN = new RegExp(`[${BOOK_CJK}]+|[A-Za-z0-9_]+`, "g");
const BOOK_CJK_RUN = new RegExp(`^[${BOOK_CJK}]+$`);
// 摘要里两个汉字（或全角标点）之间的空白是源文件的软换行，去掉
const BOOK_CJK_TEXT = `${BOOK_CJK}\u3000-\u303f\uff00-\uffef`;
const BOOK_SPACE_BETWEEN_CJK = new RegExp(`([${BOOK_CJK_TEXT}]) (?=[${BOOK_CJK_TEXT}])`, "g");
const BOOK_SUMMARY_BEFORE = 50; // 摘要里命中处之前的字数
const BOOK_SUMMARY_LENGTH = 180; // 摘要的总字数
// 不算正文的部分：代码、代码单元的输出
const BOOK_NOT_PROSE = ["pre", "div.highlight", "div.cell_output", "div.output"];

// 点隔开的单个字母（i.i.d.）连成一个词，与索引相同
const BOOK_ABBREVIATION = /(?<![A-Za-z0-9_.])[A-Za-z](?:\.[A-Za-z])+\.?(?![A-Za-z0-9_])/g;

/** 查询切分：全角折成半角，缩写连成词，取出连续汉字段与拉丁字母词。 */
var splitQuery = (query) =>
  query
    .normalize("NFKC")
    .replace(BOOK_ABBREVIATION, (abbreviation) => abbreviation.replaceAll(".", ""))
    .match(BOOK_TOKEN) || [];

const BookSearch = {
  isCJK: (word) => BOOK_CJK_RUN.test(word),

  /** 页面文字规整成与索引相同的样子：空白合一，两个汉字（全角标点）之间的空白去掉。 */
  normalize: (text) =>
    text.replace(/\s+/g, " ").replace(BOOK_SPACE_BETWEEN_CJK, "$1").trim(),

  /** 索引词在各页的出现次数：Map(文档序号 -> 次数)；索引里没有这个词时为 null。 */
  lookup: (index, key) => {
    const docs = new Map();
    for (const table of [index.terms, index.titleterms]) {
      if (!Object.prototype.hasOwnProperty.call(table, key)) continue;
      const files = table[key];
      for (const file of Array.isArray(files) ? files : [files]) docs.set(file, 1);
    }
    if (!docs.size) return null;
    const counts = (index.booktf || {})[key] || [];
    for (let i = 0; i < counts.length; i += 2)
      if (docs.has(counts[i])) docs.set(counts[i], counts[i + 1]);
    return docs;
  },

  /** 几组命中取交集，次数取最小（短语出现的次数不超过它任何一个二元组的次数）。 */
  intersect: (maps) =>
    maps.reduce((acc, map) => {
      const out = new Map();
      for (const [doc, n] of acc) if (map.has(doc)) out.set(doc, Math.min(n, map.get(doc)));
      return out;
    }),

  /** 一个字：含这个字的二元组与单独成段的这个字（索引里单字只在单独成段时才有）。 */
  lookupChar: (index, char) => {
    if (BookSearch._charIndex?.index !== index) {
      const keys = new Map();
      for (const table of [index.terms, index.titleterms])
        for (const key of Object.keys(table))
          if (key.length === 2 && BookSearch.isCJK(key))
            for (const c of key) keys.set(c, (keys.get(c) || new Set()).add(key));
      BookSearch._charIndex = { index, keys };
    }
    const docs = BookSearch.lookup(index, char) || new Map();
    for (const key of BookSearch._charIndex.keys.get(char) || [])
      for (const doc of BookSearch.lookup(index, key).keys()) docs.set(doc, 1);
    return docs.size ? docs : null;
  },

  /** 一个汉字短语：拆成二元组（书里没有的二元组略过，没被任何二元组覆盖的字查单字）。 */
  matchPhrase: (index, phrase) => {
    const chars = [...phrase];
    const maps = [];
    const covered = new Array(chars.length).fill(false);
    for (let i = 0; i + 1 < chars.length; i++) {
      const docs = BookSearch.lookup(index, chars[i] + chars[i + 1]);
      if (docs) {
        maps.push(docs);
        covered[i] = covered[i + 1] = true;
      }
    }
    for (let i = 0; i < chars.length; i++) {
      if (covered[i]) continue;
      const docs = BookSearch.lookupChar(index, chars[i]);
      if (!docs) return new Map(); // 书里没有这个字
      maps.push(docs);
    }
    return BookSearch.intersect(maps);
  },

  /** 一个拉丁字母词（已取词干）：整词命中；没有整词时，长于两个字母的词找包含它的索引词。 */
  matchWord: (index, word) => {
    const exact = BookSearch.lookup(index, word);
    if (exact || word.length <= 2) return exact || new Map();
    const docs = new Map();
    for (const table of [index.terms, index.titleterms])
      for (const key of Object.keys(table))
        if (key.includes(word))
          for (const [doc, n] of BookSearch.lookup(index, key))
            docs.set(doc, Math.max(n, docs.get(doc) || 0));
    return docs;
  },

  /** 含有全部查询词的页：Map(文档序号 -> 估计的出现次数)。 */
  matchDocs: (index, searchTerms) => {
    const maps = [...searchTerms].map((term) =>
      BookSearch.isCJK(term)
        ? BookSearch.matchPhrase(index, term)
        : BookSearch.matchWord(index, term),
    );
    return maps.length ? BookSearch.intersect(maps) : new Map();
  },

  /** 与查询同样切分、去掉停用词与纯数字后的词（比较术语与查询是否相同）。 */
  tokens: (text) =>
    splitQuery(text.toLowerCase()).filter((t) => !stopwords.has(t) && !/^\d+$/.test(t)),

  /** 文字（标题、术语）是否包含全部查询词：汉字短语照原文找，拉丁字母词在切出的词里找（不分大小写）。 */
  containsAll: (text, words) => {
    const haystack = BookSearch.normalize(text).toLowerCase();
    const latin = splitQuery(haystack).filter((t) => !BookSearch.isCJK(t));
    return (
      words.length > 0
      && words.every((word) =>
        BookSearch.isCJK(word) ? haystack.includes(word) : latin.some((t) => t.includes(word)),
      )
    );
  },

  /**
   * 页面（或锚点处的小节、术语的定义）的文字。行内公式留下 TeX 本身，公式块去掉；
   * prose 为真时也去掉代码与输出，只留正文。
   */
  pageText: (htmlString, anchor, prose) => {
    const page = new DOMParser().parseFromString(htmlString, "text/html");
    const junk = [".headerlink", "script", "style", "div.math", ...(prose ? BOOK_NOT_PROSE : [])];
    page.querySelectorAll(junk.join(", ")).forEach((el) => el.remove());
    page.querySelectorAll("span.math").forEach((el) => {
      el.textContent = el.textContent.replace(/^\\\(|\\\)$/g, "");
    });
    const main = page.querySelector('[role="main"]');
    if (!main) return "";
    const target = anchor ? page.getElementById(BookSearch.anchorId(anchor)) : null;
    if (!target || !main.contains(target))
      return BookSearch.normalize((main.querySelector("article") || main).textContent);
    // 术语：术语的各个名字与它的定义（dt … dd）
    const parts = [target.textContent];
    for (let node = target; node.tagName === "DT" && node.nextElementSibling; ) {
      node = node.nextElementSibling;
      parts.push(node.textContent);
      if (node.tagName !== "DT") break;
    }
    return BookSearch.normalize(parts.join(" "));
  },

  /** 锚点里的 id（中文 id 在链接里可能被转义）。 */
  anchorId: (anchor) => {
    try {
      return decodeURIComponent(anchor.replace(/^#/, ""));
    } catch (e) {
      return anchor.replace(/^#/, "");
    }
  },
};

if (typeof Search !== "undefined") {
  /** 检索并排序；返回按分数升序的结果（Sphinx 从尾部逐个取出显示）。 */
  Search._performSearch = (
    query,
    searchTerms,
    excludedTerms,
    highlightTerms,
    objectTerms,
  ) => {
    const index = Search._index;
    const { docnames, filenames, titles } = index;
    const reference = new Set(index.bookreference || []);
    const words = [...highlightTerms];
    const queryLength = words.reduce((n, w) => n + w.length, 0);
    _removeChildren(document.getElementById("search-progress"));

    const result = (file, title, anchor, descr, kind) => [
      docnames[file],
      title,
      anchor,
      descr,
      0,
      filenames[file],
      kind,
    ];
    const matches = BookSearch.matchDocs(index, searchTerms);
    for (const term of excludedTerms)
      for (const doc of BookSearch.matchDocs(index, [term]).keys()) matches.delete(doc);
    const count = (file) => matches.get(file) || 1;

    // 标题（页标题、小节标题、练习标题）含有全部查询词
    const headings = { teaching: [], reference: [] };
    for (const [title, places] of Object.entries(index.alltitles)) {
      if (!BookSearch.containsAll(title, words)) continue;
      for (const [file, id] of places) {
        const item = result(
          file,
          titles[file] !== title ? `${titles[file]} > ${title.trim()}` : title,
          id !== null ? "#" + id : "",
          null,
          SearchResultKind.title,
        );
        // 标题越贴近查询越好；页标题再加一点；同样贴近时出现次数多的页在前
        const rank = (100 * queryLength) / Math.max(title.length, 1) + (id === null ? 20 : 0);
        headings[reference.has(file) ? "reference" : "teaching"].push([item, rank + count(file) / 1000]);
      }
    }
    // 索引条目：术语表的术语（与查询相同的是定义）、API 对象的条目
    const definitions = [];
    const related = [];
    const queryText = words.join(" ");
    for (const [entry, places] of Object.entries(index.indexentries)) {
      if (!BookSearch.containsAll(entry, words)) continue;
      // 查询词是一个集合（重复的词只留一个），术语的词也按集合比较：“sequence-to-sequence”
      const exact = [...new Set(BookSearch.tokens(entry))].join(" ") === queryText;
      for (const [file, id, isMain] of places) {
        const item = result(file, titles[file], id ? "#" + id : "", null, SearchResultKind.index);
        if (exact && isMain) definitions.push([item, 0]);
        else if (queryLength >= entry.length / 2) related.push([item, queryLength / entry.length]);
      }
    }
    // API 对象（Sphinx 自己的对象检索）
    const objects = [];
    objectTerms.forEach((term) =>
      Search.performObjectSearch(term, objectTerms).forEach((item) => objects.push([item, item[4]])),
    );
    // 正文命中：每页一条，按出现次数
    const body = { teaching: [], reference: [] };
    for (const [file, n] of matches)
      body[reference.has(file) ? "reference" : "teaching"].push([
        result(file, titles[file], "", null, SearchResultKind.text),
        n,
      ]);

    const best = (list) =>
      list
        .sort((a, b) => b[1] - a[1] || (a[0][0] < b[0][0] ? -1 : a[0][0] > b[0][0] ? 1 : 0))
        .map(([item]) => item);
    const teachingHeadings = best(headings.teaching);
    const teachingBody = best(body.teaching);
    const first = teachingHeadings.length ? teachingHeadings.shift() : teachingBody.shift();
    const ranked = [
      ...(first ? [first] : []),
      ...best(definitions),
      ...teachingHeadings,
      ...teachingBody,
      ...best(related),
      ...best(objects),
      ...best(headings.reference),
      ...best(body.reference),
    ];

    // 同一锚点只留一次；一页的正文命中只在这一页还没有更靠前的结果时列出
    const seen = new Set();
    const listed = new Set();
    const results = ranked.filter((r) => {
      const key = `${r[0]}${r[2]}`;
      const duplicate = seen.has(key) || (r[6] === SearchResultKind.text && listed.has(r[0]));
      seen.add(key);
      listed.add(r[0]);
      return !duplicate;
    });
    results.forEach((r, i) => (r[4] = results.length - i));
    return results.reverse();
  };

  /** 页面（或锚点处的小节、术语的定义）的文字，规整成与索引相同的样子。 */
  Search.htmlToText = (htmlString, anchor) => BookSearch.pageText(htmlString, anchor, false);

  /**
   * 摘要：以最长的查询词第一次出现处为中心（没有整段出现时以它的第一个二元组为中心）；
   * 先在正文里找，正文里没有再到代码与输出里找。
   */
  Search.makeSearchSummary = (htmlText, keywords, anchor) => {
    const words = [...keywords].map((k) => k.toLowerCase()).sort((a, b) => b.length - a.length);
    const pieces = words.flatMap((w) =>
      BookSearch.isCJK(w) ? [w, ...[...w].slice(1).map((c, i) => w[i] + c)] : [w],
    );
    let text = "";
    let hit;
    for (const prose of [true, false]) {
      text = BookSearch.pageText(htmlText, anchor, prose);
      const lower = text.toLowerCase();
      hit = pieces.map((w) => lower.indexOf(w)).find((i) => i >= 0);
      if (hit !== undefined) break;
    }
    const start = Math.max((hit === undefined ? 0 : hit) - BOOK_SUMMARY_BEFORE, 0);
    const summary = document.createElement("p");
    summary.classList.add("context");
    summary.textContent =
      (start > 0 ? "…" : "")
      + text.substr(start, BOOK_SUMMARY_LENGTH).trim()
      + (start + BOOK_SUMMARY_LENGTH < text.length ? "…" : "");
    return summary;
  };
}
