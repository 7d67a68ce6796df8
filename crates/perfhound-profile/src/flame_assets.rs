//! The flame graph's inline script and stylesheet, and their CSP hashes.
//!
//! Both are constant (the data lives in the SVG's elements and attributes), so a page
//! with a strict Content-Security-Policy — perfhound's HTML report — allows them by
//! adding [`FLAME_SCRIPT_SHA256`] to `script-src` and [`FLAME_STYLE_SHA256`] to
//! `style-src`. Without them (or with script disabled) the graph is still complete:
//! every frame is drawn with its label, and its `<title>` tooltip carries the numbers;
//! colours and fonts are presentation attributes, which a CSP does not block. The tests
//! check the hashes; after editing a block, paste the value the test prints.

/// Zoom (click a frame; "Reset zoom"), search ("Search", a regular expression, or `?s=`
/// in the URL: matches turn magenta and the matched share is shown) and hover details.
/// Binds to its own `<svg>` (the script's parent), so several graphs share one page.
pub const FLAME_SCRIPT: &str = r#"(function(){
var s=document.currentScript,svg=s&&s.parentNode;if(!svg||!svg.querySelectorAll)return;
var W=+svg.getAttribute("data-width"),P=10,T=+svg.getAttribute("data-total")||1;
var fs=Array.prototype.slice.call(svg.querySelectorAll("g.f"));
function one(c){return svg.querySelector("text."+c);}
var details=one("details"),reset=one("reset"),search=one("search"),matched=one("matched"),term=null;
function nm(g){return g.firstChild.textContent.split("\n")[0];}
function num(g,a){return +g.getAttribute(a);}
function fit(g,w){var t=g.querySelector("text"),n=nm(g),c=Math.floor((w-6)/7);t.textContent=c<3?"":n.length<=c?n:n.slice(0,c-2)+"..";}
function zoom(g){var zx=g?num(g,"data-x"):0,zw=g?num(g,"data-w"):T,zd=g?num(g,"data-d"):0,full=W-2*P;
fs.forEach(function(f){var x=num(f,"data-x"),w=num(f,"data-w"),d=num(f,"data-d"),r=f.querySelector("rect"),t=f.querySelector("text");
var up=d<zd&&x<=zx&&x+w>=zx+zw,inside=d>=zd&&x>=zx&&x+w<=zx+zw,nw=up?full:w/zw*full;
if(!(up||inside)||nw<0.1){f.setAttribute("display","none");return;}
f.removeAttribute("display");var nx=up?P:P+(x-zx)/zw*full;
r.setAttribute("x",nx.toFixed(2));r.setAttribute("width",nw.toFixed(2));t.setAttribute("x",(nx+3).toFixed(2));fit(f,nw);
r.setAttribute("fill-opacity",up?"0.6":"1");});
if(g){reset.removeAttribute("display");svg.setAttribute("data-zoom",nm(g));}else{reset.setAttribute("display","none");svg.removeAttribute("data-zoom");}}
function find(re){var hits=[];
fs.forEach(function(f){var r=f.querySelector("rect");if(!r.hasAttribute("data-fill"))r.setAttribute("data-fill",r.getAttribute("fill"));
if(re&&re.test(nm(f))){r.setAttribute("fill","rgb(230,0,230)");hits.push([num(f,"data-x"),num(f,"data-w")]);}else{r.setAttribute("fill",r.getAttribute("data-fill"));}});
hits.sort(function(a,b){return a[0]-b[0]||b[1]-a[1];});
var sum=0,end=-1;hits.forEach(function(h){var e=h[0]+h[1];if(h[0]>=end){sum+=h[1];end=e;}else if(e>end){sum+=e-end;end=e;}});
term=re;search.textContent=re?"Reset search":"Search";matched.textContent=re?"Matched: "+(100*sum/T).toFixed(1)+"%":"";
if(re){svg.setAttribute("data-matched",String(sum));}else{svg.removeAttribute("data-matched");}}
svg.addEventListener("click",function(e){var g=e.target.closest&&e.target.closest("g.f");if(g){zoom(g);}});
svg.addEventListener("mouseover",function(e){var g=e.target.closest&&e.target.closest("g.f");details.textContent=g?g.firstChild.textContent.replace(/\n/g," \u00b7 "):" ";});
reset.addEventListener("click",function(e){e.stopPropagation();zoom(null);});
search.addEventListener("click",function(e){e.stopPropagation();if(term){find(null);return;}
var q=window.prompt("Search frames (regular expression)","");if(q){try{find(new RegExp(q));}catch(x){matched.textContent="Not a regular expression";}}});
search.removeAttribute("display");
var q=/[?&]s=([^&#]*)/.exec(location.search);if(q){try{find(new RegExp(decodeURIComponent(q[1])));}catch(x){}}
svg.setAttribute("data-ready","1");
})();"#;

/// Pointer and hover cues only; everything needed to read the graph is in attributes.
pub const FLAME_STYLE: &str =
    "svg.ph-flame g.f,svg.ph-flame text.btn{cursor:pointer}svg.ph-flame g.f:hover rect{stroke:#000;stroke-width:0.5}";

/// `sha256-…` of [`FLAME_SCRIPT`], for a page's CSP `script-src`.
pub const FLAME_SCRIPT_SHA256: &str = "sha256-kJFTvjISPr6R2vI4zKYIwFtpQOIge6bRieiv16neF/Q=";
/// `sha256-…` of [`FLAME_STYLE`], for a page's CSP `style-src`.
pub const FLAME_STYLE_SHA256: &str = "sha256-BhLK4aJt2qR0SGSeAIB+hrMmLsWfcj3lYc7RfO834tM=";
