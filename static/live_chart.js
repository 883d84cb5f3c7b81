// A Plotly chart that stays in the page and takes only what changed (ui/live_chart.py).
//
// Python sends, with every run of the page or of its live view, one message in `data`:
//   gen      which drawing of the chart this is: a new network, language or slide mode
//            gives a new gen, and the chart is drawn afresh (Plotly.newPlot);
//   seq      the message's number, rising: a message seen before changes nothing;
//   figure   a whole figure (JSON text, arrays as Plotly's typed-array specs), or null;
//            with the gen already drawn it goes through Plotly.react, which keeps the chart;
//   lazy     whether a figure may wait: one that a live view's run sent (an epoch's end) goes
//            to a chart out of view when it comes into view, so that charts nobody sees are
//            not redrawn (a page's run draws every chart at once);
//            its template comes apart (template_id, and the template itself the first time);
//   extend   new points for curves: for trace i, the points from index start[i] on (steps
//            as a range, values as typed arrays); the chart adds those it lacks. The window
//            starts a message earlier than needed, so that one message the page skipped (two
//            updates in one frame) loses nothing; a chart that missed more asks for the whole
//            figure;
//   restyle  new values for whole arrays: a heatmap's z, a trace thinned by the server;
//   frames   instead of extend and restyle: a list of them, one per state the page went
//            through (ui/live_chart.py: frame_diffs), each against the one before; the first
//            is applied at once, the others one per frame_ms, each shown by its own redraw
//            (counted as "frames"). A message with frames that comes while frames still wait
//            puts all but the last of those in at once and queues its own after it; any other
//            message that comes while frames still wait first puts
//            what is left of them into the chart's data at once (counted as "merged"; one
//            redraw shows them with the new message): nothing is lost, the end state is the
//            last frame's; a message that brings nothing leaves them be. A whole figure
//            drops them (it holds the last state already);
//   clicks   whether to listen to clicks: each plotly_click goes to Python as the trigger
//            value "click" (the curve, the point's index, its x, y and customdata, and the
//            mouse's position in data coordinates); one listener per plot, whatever the
//            number of messages, registered again after Plotly.newPlot (which drops them);
//   config   Plotly's config (the camera button's file name and size); height in px.
// New points and arrays go into the chart's own data, and one Plotly.redraw per animation
// frame (requestAnimationFrame) shows them all (what extendTraces and restyle would each do
// once per call), and only while the chart is on the screen: one scrolled away catches up
// when it comes back.
// When a message cannot be applied (the chart was mounted afresh, or more points were
// missed than the window holds) the chart asks Python for the whole figure ("resync")
// and ignores updates until it comes.
//
// Plotly.js is the copy the app serves itself (static/, server.enableStaticServing),
// loaded once per page, never from a CDN.

let plotly = null; // this module's own Plotly, whatever else the page loads
const templates = new Map(); // template id -> the template: sent once, shared by the charts
let loading = null;

// Streamlit's own charts may have put their Plotly (another version) on window.Plotly: the
// global is read once, right after our copy ran, and then given back as it was.
function loadPlotly(src) {
  if (plotly) return Promise.resolve(plotly);
  if (!loading) {
    loading = new Promise((resolve, reject) => {
      const before = window.Plotly;
      const script = document.createElement("script");
      script.src = src;
      script.async = true;
      script.onload = () => {
        plotly = window.Plotly;
        if (before !== undefined) window.Plotly = before;
        resolve(plotly);
      };
      script.onerror = () => {
        loading = null;
        reject(new Error(`could not load ${src}`));
      };
      document.head.appendChild(script);
    });
  }
  return loading;
}

const TYPES = { i1: Int8Array, u1: Uint8Array, i2: Int16Array, u2: Uint16Array,
  i4: Int32Array, u4: Uint32Array, f4: Float32Array, f8: Float64Array };

// Plotly's typed-array specs ({dtype, bdata, shape}) as typed arrays (2-D: a list of rows),
// wherever they sit, so that the chart's own data can be extended and compared.
function decode(value) {
  if (Array.isArray(value)) return value.map(decode);
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value.range) && Object.keys(value).length === 1) { // first, step, count
    const [first, step, n] = value.range;
    return Float64Array.from({ length: n }, (_, i) => first + i * step);
  }
  if (typeof value.bdata === "string" && value.dtype in TYPES) {
    const text = atob(value.bdata);
    const bytes = new Uint8Array(text.length); // a plain loop: no callback per byte
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    const flat = new TYPES[value.dtype](bytes.buffer);
    if (!value.shape) return flat;
    const [rows, cols] = String(value.shape).split(",").map(Number);
    if (!cols) return flat;
    return Array.from({ length: rows }, (_, r) => flat.subarray(r * cols, (r + 1) * cols));
  }
  const out = {};
  for (const [k, v] of Object.entries(value)) out[k] = decode(v);
  return out;
}

function count(el, name) {
  el.dataset[name] = String(Number(el.dataset[name] || 0) + 1);
}

// A chart wider than its box (a slide-size chart on a phone) scrolls sideways in it: the box
// then takes the keyboard's focus, so that a learner without a mouse can scroll it too (and
// axe-core's scrollable-region-focusable holds); one that fits gives the focus up again.
function focusableIfScrolling(box) {
  if (box.scrollWidth > box.clientWidth + 1) box.setAttribute("tabindex", "0");
  else box.removeAttribute("tabindex");
}

// Apply one message to the chart of `box` (its div is box.firstChild); box.state is what this
// chart has drawn so far.
async function apply(Plotly, box, data) {
  const gd = box.firstChild, state = box.state;
  if (data.seq <= state.seq && data.gen === state.gen) return; // seen already
  if (data.figure) {
    if (data.template) templates.set(data.template_id, JSON.parse(data.template));
    if (!templates.has(data.template_id)) { // sent with a figure this page never took
      askResync(box, data.gen);
      return;
    }
    dropFrames(box); // the figure holds the last state
    if (data.lazy && state.drawn && data.gen === state.gen && !box.visible) {
      // a chart out of view takes a figure a live view's run sent when it comes into view
      // (or before the next change that is not a whole figure): an epoch's end redraws
      // only what is seen
      box.waiting = data;
      state.seq = data.seq;
      listen(box, data.clicks);
      return;
    }
    box.waiting = null;
    await drawFigure(Plotly, box, data);
    return;
  }
  await drawWaiting(Plotly, box);
  if (!state.drawn || data.gen !== state.gen) {
    dropFrames(box);
    askResync(box, data.gen);
    return;
  }
  const frames = data.frames || [];
  if (frames.length && box.frames && box.frames.list.length) {
    // frames of the last message still wait (a busy browser ran late): all but the last go
    // in at once, the last keeps its turn and the new ones follow it, so the pictures go on
    // one per frame_ms and fall behind by one frame at most
    const pending = box.frames;
    while (pending.list.length > 1) {
      if (!applyDiff(box, pending.list.shift())) return;
      count(box.firstChild, "merged");
    }
    pending.list.push(...frames);
    pending.ms = Number(data.frame_ms) || 100;
    state.seq = data.seq;
    listen(box, data.clicks);
    return;
  }
  // what is left of the last message's frames, at once, before anything new (a message that
  // brings nothing leaves them to their time)
  if (frames.length || data.extend || data.restyle) flushFrames(box);
  if (!applyDiff(box, frames.length ? frames[0] : data)) return;
  state.seq = data.seq;
  if (frames.length) {
    state.framed = true;
    box.frames = { list: frames.slice(1), ms: Number(data.frame_ms) || 100,
      due: performance.now() + (Number(data.frame_ms) || 100), timer: 0 };
    nextFrame(box);
  }
  listen(box, data.clicks);
}

// Draw a whole figure: afresh (Plotly.newPlot) for a new drawing, else through Plotly.react,
// which keeps the chart.
async function drawFigure(Plotly, box, data) {
  const gd = box.firstChild, state = box.state;
  const fig = decode(JSON.parse(data.figure));
  fig.layout.template = templates.get(data.template_id);
  if (data.gen !== state.gen || !state.drawn) {
    if (state.drawn) Plotly.purge(gd);
    await Plotly.newPlot(gd, fig.data, fig.layout, data.config);
    count(gd, "draws"); // a chart drawn from scratch: a test checks this stays put
  } else {
    await Plotly.react(gd, fig.data, fig.layout, data.config);
    count(gd, "reacts");
  }
  focusableIfScrolling(box);
  state.drawn = true;
  state.gen = data.gen;
  state.seq = data.seq;
  state.resyncing = false;
  state.dirty = false;
  listen(box, data.clicks);
}

// The figure a chart out of view was sent, drawn now (it came into view, or a change that
// builds on it came).
async function drawWaiting(Plotly, box) {
  const data = box.waiting;
  if (!data) return;
  box.waiting = null;
  const seq = box.state.seq;
  await drawFigure(Plotly, box, data);
  box.state.seq = Math.max(seq, data.seq);
}

function askResync(box, gen) {
  if (!box.state.resyncing) box.setTrigger("resync", gen);
  box.state.resyncing = true;
}

// Put one difference ({extend, restyle}) into the chart's own data; one redraw afterwards
// shows it. Checked first, so that it is applied whole or not at all: false (and a resync
// asked for) when more was missed than it makes up.
function applyDiff(box, diff) {
  const gd = box.firstChild;
  const ext = diff.extend;
  const xs = ext ? ext.x.map(decode) : [], ys = ext ? ext.y.map(decode) : [];
  if (ext) {
    for (let k = 0; k < ext.traces.length; k++) {
      const have = gd.data[ext.traces[k]].x.length, start = ext.start[k];
      if (have < start || have > start + xs[k].length) { // more was missed than sent
        dropFrames(box);
        askResync(box, box.state.gen);
        return false;
      }
    }
  }
  for (const { trace, props } of diff.restyle || []) {
    for (const [name, value] of Object.entries(props)) {
      setPath(gd.data[trace], name, decode(value));
    }
    count(gd, "restyles");
  }
  if (ext) {
    let grew = false;
    for (let k = 0; k < ext.traces.length; k++) {
      const trace = gd.data[ext.traces[k]];
      const skip = trace.x.length - ext.start[k];
      if (skip < xs[k].length) {
        trace.x = joined(trace.x, xs[k].slice(skip));
        trace.y = joined(trace.y, ys[k].slice(skip));
        grew = true;
      }
    }
    if (grew) count(gd, "extends");
  }
  if (diff.restyle || ext) box.state.dirty = true;
  return true;
}

// The next waiting frame, at its time, in turn with the messages (box.queue); a chart off the
// screen takes them all at once (it is not redrawn until it comes back).
function nextFrame(box) {
  const pending = box.frames;
  if (!pending) return;
  if (!pending.list.length) {
    box.frames = null;
    return;
  }
  if (!box.visible) {
    flushFrames(box);
    return;
  }
  pending.timer = setTimeout(() => {
    box.queue = box.queue.then(() => {
      if (box.frames !== pending) return; // taken at once or dropped meanwhile
      pending.timer = 0;
      if (!applyDiff(box, pending.list.shift())) return;
      box.state.framed = true;
      pending.due = Math.max(pending.due + pending.ms, performance.now());
      redrawSoon(box);
      nextFrame(box);
    }).catch((err) => console.error("live chart", err));
  }, Math.max(0, pending.due - performance.now()));
}

// What is left of the waiting frames, into the chart's data at once (one redraw shows it).
function flushFrames(box) {
  const pending = box.frames;
  if (!pending) return;
  box.frames = null;
  clearTimeout(pending.timer);
  for (const diff of pending.list) {
    if (!applyDiff(box, diff)) return;
    count(box.firstChild, "merged");
  }
}

function dropFrames(box) {
  if (box.frames) clearTimeout(box.frames.timer);
  box.frames = null;
}

const finite = (v) => typeof v === "number" && Number.isFinite(v);

// What a plotly_click says, as plain numbers: the first point's curve, index ([row, col] on a
// heatmap), x, y and customdata, and where the mouse was, in the data coordinates of that
// point's axes (its pixel offset in the plot area, through the axis's p2d).
function clickValue(gd, ev) {
  const pt = ev && ev.points && ev.points[0];
  if (!pt) return null;
  const out = {};
  if (Number.isInteger(pt.curveNumber)) out.curve = pt.curveNumber;
  const index = pt.pointNumber;
  if (Number.isInteger(index)) out.point = index;
  else if (Array.isArray(index) && index.length === 2 && index.every(Number.isInteger)) {
    out.point = [index[0], index[1]];
  }
  if (finite(pt.x)) out.x = pt.x;
  if (finite(pt.y)) out.y = pt.y;
  const custom = ArrayBuffer.isView(pt.customdata) ? Array.from(pt.customdata) : pt.customdata;
  if (finite(custom)) out.customdata = custom;
  else if (Array.isArray(custom) && custom.length && custom.length <= 8
           && custom.every(finite)) out.customdata = custom.slice();
  const e = ev.event, full = gd._fullLayout || {};
  const xa = pt.xaxis || full.xaxis, ya = pt.yaxis || full.yaxis;
  if (e && xa && ya && finite(e.clientX) && finite(e.clientY)) {
    const rect = gd.getBoundingClientRect();
    const x = xa.p2d(e.clientX - rect.left - xa._offset);
    const y = ya.p2d(e.clientY - rect.top - ya._offset);
    if (finite(x) && finite(y)) out.mouse = { x, y };
  }
  return out;
}

// One click listener per plot or none: Plotly.newPlot drops a plot's listeners, so this runs
// after each message; taking the listener off first keeps it to one.
function listen(box, on) {
  const gd = box.firstChild;
  if (typeof gd.removeListener !== "function") return; // not a Plotly plot (yet)
  gd.removeListener("plotly_click", box.onClick);
  if (on) gd.on("plotly_click", box.onClick);
}

// trace["marker.color"] = v sets trace.marker.color, as Plotly.restyle reads such a name.
function setPath(trace, path, value) {
  const parts = path.split(".");
  let at = trace;
  for (const part of parts.slice(0, -1)) {
    if (at[part] === null || typeof at[part] !== "object") at[part] = {};
    at = at[part];
  }
  at[parts[parts.length - 1]] = value;
}

// `held` with `points` added at its end, in the same kind of array.
function joined(held, points) {
  if (!ArrayBuffer.isView(held)) return held.concat(Array.from(points));
  const out = new held.constructor(held.length + points.length);
  out.set(held);
  out.set(points, held.length);
  return out;
}

// Redraw a chart whose data changed, once per frame at most, and only while it is on the
// screen: a chart scrolled out of view catches up when it comes back. Plotly.redraw
// recomputes the chart from its data (as extendTraces and restyle do, once per call).
function redrawSoon(box) {
  if (box.frame || !box.state.dirty || !box.visible) return;
  box.frame = requestAnimationFrame(() => {
    box.queue = box.queue.then(async () => {
      box.frame = 0;
      if (!box.state.dirty || !plotly) return;
      const framed = box.state.framed;
      box.state.dirty = box.state.framed = false;
      await plotly.redraw(box.firstChild);
      count(box.firstChild, "redraws");
      if (framed) count(box.firstChild, "frames"); // a redraw that showed a frame
    }).catch((err) => console.error("live chart", err));
  });
}

// Called by the component's stub (ui/live_chart.py) with every message.
export function update(component) {
  const { parentElement, data, setTriggerValue } = component;
  let box = parentElement.querySelector(".live-chart");
  if (!box) {
    box = document.createElement("div");
    box.className = "live-chart";
    const gd = document.createElement("div");
    gd.className = "live-chart-plot";
    box.appendChild(gd);
    parentElement.appendChild(box);
    box.state = { gen: null, seq: -1, drawn: false, resyncing: false, dirty: false,
      framed: false };
    box.queue = Promise.resolve();
    box.frames = null; // the frames still to show: {list, ms, due, timer}
    box.waiting = null; // a whole figure sent while the chart was out of view
    box.onClick = (ev) => {
      const value = clickValue(gd, ev);
      if (value) box.setTrigger("click", value);
    };
    // the chart follows the width of the column it sits in
    box.observer = new ResizeObserver(() => {
      if (box.state.drawn && plotly && gd.offsetParent !== null) {
        count(gd, "resizes");
        plotly.Plots.resize(gd).catch(() => {});
      }
    });
    box.observer.observe(box);
    box.visible = true;
    box.seen = new IntersectionObserver((entries) => {
      box.visible = entries[entries.length - 1].isIntersecting;
      if (box.visible && box.waiting) {
        box.queue = box.queue.then(() => drawWaiting(plotly, box))
          .catch((err) => console.error("live chart", err));
      }
      redrawSoon(box);
    });
    box.seen.observe(box);
  }
  const gd = box.firstChild;
  box.style.minHeight = `${data.height}px`;
  gd.dataset.chart = data.name;
  count(gd, "messages");
  box.setTrigger = setTriggerValue; // the latest message's
  // one message at a time, in the order they came, each after Plotly is loaded
  box.queue = box.queue
    .then(() => loadPlotly(data.src))
    .then((Plotly) => apply(Plotly, box, data))
    .then(() => redrawSoon(box))
    .catch((err) => {
      console.error("live chart", data.name, err);
      box.state.resyncing = false;
    });
}

// Called when Streamlit may be done with the chart. It may also be called for a message
// that a newer one overtook while the stub was loading: the chart then is still in the
// page, and stays.
export function unmount(parentElement) {
  setTimeout(() => {
    const box = parentElement.querySelector && parentElement.querySelector(".live-chart");
    if (!box || box.isConnected) return;
    box.observer.disconnect();
    box.seen.disconnect();
    if (box.frame) cancelAnimationFrame(box.frame);
    dropFrames(box);
    if (plotly) plotly.purge(box.firstChild);
  }, 0);
}
