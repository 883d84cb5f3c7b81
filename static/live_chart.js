// A Plotly chart that stays in the page and takes only what changed (ui/live_chart.py).
//
// Python sends, with every run of the page or of its live view, one message in `data`:
//   gen      which drawing of the chart this is: a new network, language or slide mode
//            gives a new gen, and the chart is drawn afresh (Plotly.newPlot);
//   seq      the message's number, rising: a message seen before changes nothing;
//   figure   a whole figure (JSON text, arrays as Plotly's typed-array specs), or null;
//            with the gen already drawn it goes through Plotly.react, which keeps the chart;
//            its template comes apart (template_id, and the template itself the first time);
//   extend   new points for curves: for trace i, the points from index start[i] on (steps
//            as a range, values as typed arrays); the chart adds those it lacks. The window
//            starts a message earlier than needed, so that one message the page skipped (two
//            updates in one frame) loses nothing; a chart that missed more asks for the whole
//            figure;
//   restyle  new values for whole arrays: a heatmap's z, a trace thinned by the server;
//   config   Plotly's config (the camera button's file name and size); height in px.
// New points and arrays go into the chart's own data, and one Plotly.redraw per frame shows
// them all (what extendTraces and restyle would each do once per call), and only while the
// chart is on the screen: one scrolled away catches up when it comes back.
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
    const bytes = Uint8Array.from(atob(value.bdata), (c) => c.charCodeAt(0));
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

// Apply one message to the chart div `gd`; `state` is what this chart has drawn so far.
async function apply(Plotly, gd, state, data, askResync) {
  if (data.seq <= state.seq && data.gen === state.gen) return; // seen already
  if (data.figure) {
    if (data.template) templates.set(data.template_id, JSON.parse(data.template));
    if (!templates.has(data.template_id)) { // sent with a figure this page never took
      if (!state.resyncing) askResync(data.gen);
      state.resyncing = true;
      return;
    }
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
    state.drawn = true;
    state.gen = data.gen;
    state.seq = data.seq;
    state.resyncing = false;
    state.dirty = false;
    return;
  }
  if (!state.drawn || data.gen !== state.gen) {
    if (!state.resyncing) askResync(data.gen);
    state.resyncing = true;
    return;
  }
  // The new values go into the chart's own data; one redraw afterwards shows them all.
  // Checked first, so that a message is applied whole or not at all.
  const ext = data.extend;
  const xs = ext ? ext.x.map(decode) : [], ys = ext ? ext.y.map(decode) : [];
  if (ext) {
    for (let k = 0; k < ext.traces.length; k++) {
      const have = gd.data[ext.traces[k]].x.length, start = ext.start[k];
      if (have < start || have > start + xs[k].length) { // more was missed than sent
        if (!state.resyncing) askResync(data.gen);
        state.resyncing = true;
        return;
      }
    }
  }
  for (const { trace, props } of data.restyle || []) {
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
  state.seq = data.seq;
  if (data.restyle || ext) state.dirty = true;
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
      box.state.dirty = false;
      await plotly.redraw(box.firstChild);
      count(box.firstChild, "redraws");
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
    box.state = { gen: null, seq: -1, drawn: false, resyncing: false, dirty: false };
    box.queue = Promise.resolve();
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
      redrawSoon(box);
    });
    box.seen.observe(box);
  }
  const gd = box.firstChild;
  box.style.minHeight = `${data.height}px`;
  gd.dataset.chart = data.name;
  count(gd, "messages");
  const askResync = (gen) => setTriggerValue("resync", gen);
  // one message at a time, in the order they came, each after Plotly is loaded
  box.queue = box.queue
    .then(() => loadPlotly(data.src))
    .then((Plotly) => apply(Plotly, gd, box.state, data, askResync))
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
    if (plotly) plotly.purge(box.firstChild);
  }, 0);
}
