"""HTML of the demo portals' pages: the portal chrome and the page types inside it.

Real government portals wrap every page in the same heavy chrome (无障碍 and
长者模式 toggles, a nav bar, share buttons, a footer with 网站标识码, ICP备案
and the 政府网站找错 badge). The crawler has to see through it, so the demo
prints it too. Functions return ``str``; the site encodes it in its charset.
"""
from __future__ import annotations

from dataclasses import dataclass
from html import escape


@dataclass(frozen=True)
class Body:
    """A publishing body and the look of its portal."""

    name: str
    slug: str  # directory name under the build dir
    level: str  # county, city, province (of the body, departments included)
    region: str
    unit: str  # self-reference in prose: 县, 局, 委
    charset: str  # html charset: "utf-8" or "gbk"
    site_code: str  # 网站标识码
    icp: str  # ICP备案号
    article_class: str  # the div that holds article content (TRS_Editor, …)
    nav: tuple[tuple[str, str], ...]  # (label, href) of the top nav bar


def page(body: Body, title: str, main: str, *, head: str = "") -> str:
    """A full page: chrome around ``main``."""
    nav = "".join(f'<li><a href="{href}">{escape(label)}</a></li>' for label, href in body.nav)
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="{body.charset}">
<meta http-equiv="X-UA-Compatible" content="IE=edge">
<meta name="SiteName" content="{escape(body.name)}">
<meta name="SiteIDCode" content="{body.site_code}">
<title>{escape(title)}_{escape(body.name)}</title>
<link rel="stylesheet" href="/css/style.css">
{head}</head>
<body>
<div class="top-bar">
  <span class="welcome">欢迎访问{escape(body.name)}门户网站</span>
  <a href="javascript:void(0)" id="wza" class="wza">无障碍</a>
  <a href="javascript:void(0)" id="zzms" class="zzms">长者模式</a>
  <a href="javascript:void(0)" onclick="AddFavorite()">加入收藏</a>
</div>
<div class="header"><h1 class="logo"><a href="/"><img src="/images/logo.png" alt="{escape(body.name)}"></a></h1>
  <form class="search" action="/search/" method="get"><input name="q" placeholder="请输入关键词"><button>搜索</button></form>
</div>
<div class="nav"><ul>{nav}</ul></div>
<div class="main">
{main}
</div>
<div class="share">分享到：<a class="bds_weixin" title="分享到微信">微信</a><a class="bds_tsina" title="分享到新浪微博">微博</a><a class="bds_qzone" title="分享到QQ空间">QQ空间</a></div>
<div class="footer">
  <p>主办单位：{escape(body.name)}　网站标识码：{body.site_code}　<a href="https://beian.miit.gov.cn/" target="_blank">{escape(body.icp)}</a></p>
  <p><a href="https://zfwzzc.www.gov.cn/check_web/errorInfo_querySiteInfo.action?sitecode={body.site_code}" target="_blank"><img src="/images/jiucuo.png" alt="政府网站找错"></a>
  <a href="http://bszs.conac.cn/sitename?method=show&amp;id=1" target="_blank"><img src="/images/dzjg.png" alt="党政机关"></a></p>
</div>
</body>
</html>
"""


def links(items, cls="list") -> str:
    """A column list: ``items`` are (title, href, date) — the shape every CMS prints."""
    lis = "\n".join(f'  <li><a href="{href}" title="{escape(title)}" target="_blank">{escape(title)}</a>'
                    f'<span class="date">{date}</span></li>' for title, href, date in items)
    return f'<ul class="{cls}">\n{lis}\n</ul>'


def column(title: str, body_html: str, crumbs=()) -> str:
    """A column page's main area: breadcrumb, heading, content."""
    crumb = _crumb(crumbs) if crumbs else ""
    return f'{crumb}<div class="column"><h2 class="column-title">{escape(title)}</h2>\n{body_html}\n</div>'


def article(body: Body, title: str, date: str, content: str, attachments=(), crumbs=()) -> str:
    """An article page's main area; ``attachments`` are (filename, href)."""
    attach = ""
    if attachments:
        items = "".join(f'<p>附件：<a href="{href}" target="_blank">{escape(name)}</a></p>'
                        for name, href in attachments)
        attach = f'\n<div class="attachments">{items}</div>'
    return f"""{_crumb(crumbs)}<div class="article">
<h1 class="article-title">{escape(title)}</h1>
<div class="article-info">发布时间：{date}　来源：{escape(body.name)}　<span>字体：<a href="javascript:doZoom(18)">大</a> <a href="javascript:doZoom(16)">中</a> <a href="javascript:doZoom(14)">小</a></span>　<a href="javascript:window.print()">打印本页</a></div>
<div class="{body.article_class}">
{content}
</div>{attach}
</div>"""


def _crumb(crumbs) -> str:
    path = "".join(f' &gt; <a href="{href}">{escape(label)}</a>' for label, href in crumbs)
    return f'<div class="crumb">当前位置：<a href="/">首页</a>{path}</div>\n'


def paragraphs(texts) -> str:
    return "\n".join(f'<p style="text-indent: 2em;">{escape(t)}</p>' for t in texts)
