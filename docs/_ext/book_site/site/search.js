/*
 * 本书的搜索页（book_site/site/search.py 的浏览器端）：切分查询、检索、排序、显示结果与摘要。
 * 流水线把它写成 _static/book-search.js，开头加上 BOOK_CJK（汉字的范围，与索引的切法相同）与
 * BOOK_FULLWIDTH（全角标点与全角形式），二者都来自 book_site/cjk.py；
 * 只有 search.html 加载它，索引是 <script data-index> 指向的 _static/book-search.json：
 *
 *   docnames[i] 文档名，titles[i] 页标题，reference 参考页（API 参考、勘误……）的序号；
 *   terms        索引词 -> [文档序号, 正文里的次数, 文档序号, 次数, ...]（只在代码或标题里出现的记 1）；
 *   alltitles    [标题, 文档序号, 锚点或 null]（页标题、小节标题、练习标题）；
 *   glossary     [术语, 文档序号, 锚点]（术语表的定义）；
 *   objects      [API 对象的全名, 文档序号]（全名就是锚点）。
 *
 * 查询：
 * - 切出拉丁字母词与连续汉字段（与索引的切法相同）；一段汉字是一个短语；
 * - 一个短语拆成二元组（单字查含这个字的二元组），一页含有全部二元组才算命中。书里任何地方
 *   都没有的二元组（读者把两个词连着打，如“梯度消失原因”里的“失原”）不参与，于是这段查询按
 *   “梯度消失”与“原因”两部分去找；
 * - 排序：第一条是讲它的章节（标题含查询的小节优先，否则正文里出现次数最多的页）；紧接着是术语表
 *   里的定义（直接链到术语）；然后是其余标题命中、其余正文命中（按次数）；再后是部分匹配的术语与
 *   API 对象；参考页的标题与正文命中排在最后。同一页只出现一次，除非有几个小节的标题都命中；
 * - 摘要取命中的小节（或术语的定义），以整个短语第一次出现处为中心，并标亮查询词。
 */
"use strict";

const BOOK_TOKEN = new RegExp(`[${BOOK_CJK}]+|[A-Za-z0-9_]+`, "g");
const BOOK_CJK_RUN = new RegExp(`^[${BOOK_CJK}]+$`);
// 摘要里两个汉字（或全角标点）之间的空白是源文件的软换行，去掉
const BOOK_CJK_TEXT = `${BOOK_CJK}${BOOK_FULLWIDTH}`;
const BOOK_SPACE_BETWEEN_CJK = new RegExp(`([${BOOK_CJK_TEXT}]) (?=[${BOOK_CJK_TEXT}])`, "g");
const BOOK_ABBREVIATION = /(?<![A-Za-z0-9_.])[A-Za-z](?:\.[A-Za-z])+\.?(?![A-Za-z0-9_])/g;
const BOOK_STOPWORDS = new Set(
  "a and are as at be but by for if in into is it near no not of on or such that the their then there these they this to was will with".split(" "),
);
const BOOK_SUMMARY_BEFORE = 50; // 摘要里命中处之前的字数
const BOOK_SUMMARY_LENGTH = 180; // 摘要的总字数
const BOOK_NOT_PROSE = ["pre", "div.highlight", "div.cell_output", "div.output"];
const BOOK_EAGER_SUMMARIES = 3; // 立即取摘要的结果条数：读者先看到的那几条

const BookSearch = {
  index: null,

  /** 查询切分：全角折成半角，缩写连成词，取出连续汉字段与拉丁字母词。 */
  splitQuery: (query) =>
    query
      .normalize("NFKC")
      .replace(BOOK_ABBREVIATION, (abbreviation) => abbreviation.replaceAll(".", ""))
      .match(BOOK_TOKEN) || [],

  isCJK: (word) => BOOK_CJK_RUN.test(word),

  /** 查询词：汉字段原样，拉丁字母词小写；去掉英文停用词、纯数字与单个字母。 */
  parseQuery: (query) =>
    [...new Set(
      BookSearch.splitQuery(query)
        .map((w) => (BookSearch.isCJK(w) ? w : w.toLowerCase()))
        .filter((w) => BookSearch.isCJK(w) || (w.length > 1 && !BOOK_STOPWORDS.has(w) && !/^\d+$/.test(w))),
    )],

  /** 页面文字规整成与索引相同的样子：空白合一，两个汉字（全角标点）之间的空白去掉。 */
  normalize: (text) => text.replace(/\s+/g, " ").replace(BOOK_SPACE_BETWEEN_CJK, "$1").trim(),

  /** 索引词在各页的出现次数：Map(文档序号 -> 次数)；索引里没有这个词时为 null。 */
  lookup: (key) => {
    const pairs = Object.prototype.hasOwnProperty.call(BookSearch.index.terms, key)
      ? BookSearch.index.terms[key]
      : null;
    if (!pairs) return null;
    const docs = new Map();
    for (let i = 0; i < pairs.length; i += 2) docs.set(pairs[i], pairs[i + 1]);
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
  lookupChar: (char) => {
    if (!BookSearch._charIndex) {
      const keys = new Map();
      for (const key of Object.keys(BookSearch.index.terms))
        if (key.length === 2 && BookSearch.isCJK(key))
          for (const c of key) keys.set(c, (keys.get(c) || new Set()).add(key));
      BookSearch._charIndex = keys;
    }
    const docs = BookSearch.lookup(char) || new Map();
    for (const key of BookSearch._charIndex.get(char) || [])
      for (const doc of BookSearch.lookup(key).keys()) docs.set(doc, Math.max(1, docs.get(doc) || 0));
    return docs.size ? docs : null;
  },

  /** 一个汉字短语：拆成二元组（书里没有的二元组略过，没被任何二元组覆盖的字查单字）。 */
  matchPhrase: (phrase) => {
    const chars = [...phrase];
    const maps = [];
    const covered = new Array(chars.length).fill(false);
    for (let i = 0; i + 1 < chars.length; i++) {
      const docs = BookSearch.lookup(chars[i] + chars[i + 1]);
      if (docs) {
        maps.push(docs);
        covered[i] = covered[i + 1] = true;
      }
    }
    for (let i = 0; i < chars.length; i++) {
      if (covered[i]) continue;
      const docs = BookSearch.lookupChar(chars[i]);
      if (!docs) return new Map(); // 书里没有这个字
      maps.push(docs);
    }
    return maps.length ? BookSearch.intersect(maps) : new Map();
  },

  /** 一个拉丁字母词：整词命中；没有整词时，长于两个字母的词找包含它的索引词。 */
  matchWord: (word) => {
    const exact = BookSearch.lookup(word);
    if (exact || word.length <= 2) return exact || new Map();
    const docs = new Map();
    for (const key of Object.keys(BookSearch.index.terms))
      if (key.includes(word))
        for (const [doc, n] of BookSearch.lookup(key)) docs.set(doc, Math.max(n, docs.get(doc) || 0));
    return docs;
  },

  /** 含有全部查询词的页：Map(文档序号 -> 估计的出现次数)。 */
  matchDocs: (words) => {
    const maps = words.map((w) => (BookSearch.isCJK(w) ? BookSearch.matchPhrase(w) : BookSearch.matchWord(w)));
    return maps.length ? BookSearch.intersect(maps) : new Map();
  },

  /** 文字（标题、术语）是否包含全部查询词：汉字短语照原文找，拉丁字母词在切出的词里找。 */
  containsAll: (text, words) => {
    const haystack = BookSearch.normalize(text).toLowerCase();
    const latin = BookSearch.splitQuery(haystack).filter((t) => !BookSearch.isCJK(t));
    return (
      words.length > 0
      && words.every((w) => (BookSearch.isCJK(w) ? haystack.includes(w) : latin.some((t) => t.includes(w))))
    );
  },

  /**
   * 检索并排序：返回结果（最好的在前），每个结果 [文档名, 锚点, 种类, 标题]，
   * 种类是 title（标题）、index（术语）、object（API 对象）或 text（正文）。
   */
  query: (queryText) => {
    const index = BookSearch.index;
    const { docnames, titles } = index;
    const words = BookSearch.parseQuery(queryText);
    const reference = new Set(index.reference);
    const queryLength = words.reduce((n, w) => n + w.length, 0);
    const result = (file, title, anchor, kind) => [docnames[file], anchor, kind, title];
    const matches = BookSearch.matchDocs(words);
    const count = (file) => matches.get(file) || 1;

    // 标题（页标题、小节标题、练习标题）含有全部查询词
    const headings = { teaching: [], reference: [] };
    for (const [title, file, id] of index.alltitles) {
      if (!BookSearch.containsAll(title, words)) continue;
      const item = result(file, titles[file] !== title ? `${titles[file]} > ${title}` : title, id ? "#" + id : "", "title");
      // 标题越贴近查询越好；页标题再加一点；同样贴近时出现次数多的页在前
      const rank = (100 * queryLength) / Math.max(title.length, 1) + (id === null ? 20 : 0);
      headings[reference.has(file) ? "reference" : "teaching"].push([item, rank + count(file) / 1000]);
    }
    // 术语表：与查询相同的术语是定义；查询至少占术语一半长的是相关术语
    const definitions = [];
    const related = [];
    // 术语按查询的同一规则拆成词的集合（“sequence-to-sequence”只剩一个 sequence）再比较
    const queryTokens = words.join(" ");
    for (const [term, file, id] of index.glossary) {
      if (!BookSearch.containsAll(term, words)) continue;
      const item = result(file, titles[file], "#" + id, "index");
      if (BookSearch.parseQuery(term).join(" ") === queryTokens) definitions.push([item, 0]);
      else if (queryLength >= term.length / 2) related.push([item, queryLength / term.length]);
    }
    // API 对象：全名含有全部拉丁字母查询词；最后一段与查询相同的在前
    const objects = [];
    const latin = words.filter((w) => !BookSearch.isCJK(w));
    if (latin.length === words.length && latin.length)
      for (const [name, file] of index.objects) {
        const lower = name.toLowerCase();
        if (!latin.every((w) => lower.includes(w))) continue;
        const last = lower.split(".").pop();
        objects.push([result(file, name, "#" + name, "object"), latin.includes(last) ? 11 : 6]);
      }
    // 正文命中：每页一条，按出现次数
    const body = { teaching: [], reference: [] };
    for (const [file, n] of matches)
      body[reference.has(file) ? "reference" : "teaching"].push([result(file, titles[file], "", "text"), n]);

    const best = (list) =>
      list.sort((a, b) => b[1] - a[1] || (a[0][0] < b[0][0] ? -1 : a[0][0] > b[0][0] ? 1 : 0)).map(([item]) => item);
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
    return ranked.filter((r) => {
      const key = r[0] + r[1];
      const duplicate = seen.has(key) || (r[2] === "text" && listed.has(r[0]));
      seen.add(key);
      listed.add(r[0]);
      return !duplicate;
    });
  },

  /** 页面（或锚点处的小节、术语的定义）的文字；prose 为真时去掉代码与输出，只留正文。 */
  pageText: (htmlString, anchor, prose) => {
    const page = new DOMParser().parseFromString(htmlString, "text/html");
    const junk = [".headerlink", "script", "style", "div.math", "mjx-assistive-mml", ...(prose ? BOOK_NOT_PROSE : [])];
    page.querySelectorAll(junk.join(", ")).forEach((el) => el.remove());
    const main = page.querySelector("article.bd-article") || page.querySelector('[role="main"]');
    if (!main) return "";
    let id = anchor.replace(/^#/, "");
    try {
      id = decodeURIComponent(id);
    } catch (e) {}
    const target = id ? page.getElementById(id) : null;
    if (!target || !main.contains(target)) return BookSearch.normalize(main.textContent);
    const parts = [target.textContent];
    for (let node = target; node.tagName === "DT" && node.nextElementSibling; ) {
      node = node.nextElementSibling;
      parts.push(node.textContent);
      if (node.tagName !== "DT") break;
    }
    return BookSearch.normalize(parts.join(" "));
  },

  /** 摘要：以最长的查询词第一次出现处为中心（先在正文里找，再到代码与输出里找），查询词标亮。 */
  summary: (htmlString, words, anchor) => {
    const sorted = [...words].sort((a, b) => b.length - a.length);
    const pieces = sorted.flatMap((w) => (BookSearch.isCJK(w) ? [w, ...[...w].slice(1).map((c, i) => w[i] + c)] : [w]));
    let text = "";
    let hit;
    for (const prose of [true, false]) {
      text = BookSearch.pageText(htmlString, anchor, prose);
      const lower = text.toLowerCase();
      hit = pieces.map((w) => lower.indexOf(w)).find((i) => i >= 0);
      if (hit !== undefined) break;
    }
    const start = Math.max((hit === undefined ? 0 : hit) - BOOK_SUMMARY_BEFORE, 0);
    const shown = text.substr(start, BOOK_SUMMARY_LENGTH).trim();
    const paragraph = document.createElement("p");
    paragraph.className = "context";
    if (start > 0) paragraph.append("…");
    const pattern = sorted.length
      ? new RegExp(sorted.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"), "gi")
      : null;
    let position = 0;
    for (const match of pattern ? shown.matchAll(pattern) : []) {
      paragraph.append(shown.slice(position, match.index));
      const mark = document.createElement("span");
      mark.className = "highlighted";
      mark.textContent = match[0];
      paragraph.append(mark);
      position = match.index + match[0].length;
    }
    paragraph.append(shown.slice(position));
    if (start + BOOK_SUMMARY_LENGTH < text.length) paragraph.append("…");
    return paragraph;
  },

  /** 在 #search-results 里显示结果：先列出全部结果，摘要取到页面后补上（前几条立即取，其余滚到附近才取）。 */
  show: async (queryText) => {
    const container = document.getElementById("search-results");
    if (!container) return;
    container.replaceChildren();
    container.classList.add("searching");
    const heading = document.createElement("h2");
    heading.textContent = "搜索结果";
    const status = document.createElement("p");
    status.className = "search-summary";
    status.textContent = "正在搜索……";
    const list = document.createElement("ul");
    list.className = "search";
    container.append(heading, status, list);
    await BookSearch.ready;
    const words = BookSearch.parseQuery(queryText);
    const results = BookSearch.query(queryText);
    localStorage.setItem("sphinx_highlight_terms", words.join(" "));
    const pages = new Map();
    const fetchPage = (doc) => {
      if (!pages.has(doc)) pages.set(doc, fetch(doc + ".html").then((r) => (r.ok ? r.text() : "")));
      return pages.get(doc);
    };
    // 摘要要取结果所在的页：前 BOOK_EAGER_SUMMARIES 条立即取，其余的滚到视野附近才取
    const lazy = "IntersectionObserver" in window ? new IntersectionObserver((entries, observer) => {
      for (const entry of entries)
        if (entry.isIntersecting) {
          observer.unobserve(entry.target);
          entry.target.bookSummary();
        }
    }, { rootMargin: "200px" }) : null;
    const eager = results.map(([doc, anchor, kind, title], i) => {
      const item = document.createElement("li");
      item.className = `kind-${kind}`;
      const link = document.createElement("a");
      link.href = doc + ".html" + anchor;
      link.textContent = title;
      item.append(link);
      list.append(item);
      if (kind === "object") return Promise.resolve();
      item.bookSummary = () => fetchPage(doc).then((page) => item.append(BookSearch.summary(page, words, anchor)));
      if (i < BOOK_EAGER_SUMMARIES || !lazy) return item.bookSummary();
      lazy.observe(item);
      return Promise.resolve();
    });
    await Promise.all(eager);
    status.textContent = results.length
      ? `搜索完成，有 ${results.length} 个页面匹配搜索查询。`
      : "没有任何文档匹配您的搜索查询。请确保所有单词的拼写正确。";
    container.classList.remove("searching");
  },
};

if (typeof document !== "undefined" && document.currentScript) {
  // 搜索页：载入索引，按地址里的 ?q= 检索并显示
  BookSearch.ready = fetch(document.currentScript.dataset.index)
    .then((response) => response.json())
    .then((index) => {
      BookSearch.index = index;
    });
  document.addEventListener("DOMContentLoaded", () => {
    const query = new URLSearchParams(window.location.search).get("q");
    if (!query) return;
    const input = document.querySelector("form.bd-search input[name='q']");
    if (input) input.value = query;
    BookSearch.show(query);
  });
} else if (typeof module !== "undefined") {
  module.exports = BookSearch; // 测试在 Node 里直接调用 BookSearch.query
}
