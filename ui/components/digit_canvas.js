// A square canvas for drawing one digit: white ink on black paper, as MNIST's digits are.
// When a stroke ends it sends the whole drawing to Python once, as a PNG of exactly
// size × size pixels (the "drawing" trigger); the Clear button sends "cleared". Python
// checks what arrives (ui/images.py: decode_drawing) and trusts nothing else about it.
// Keys: arrows move a pen, Space or Enter puts it down or lifts it, Delete clears.
export default function (component) {
  const { parentElement, data, setTriggerValue } = component;
  const root = parentElement.querySelector(".digit-canvas");
  const canvas = root.querySelector("canvas");
  const clear = root.querySelector("button");
  clear.textContent = data.clear_label;
  canvas.setAttribute("aria-label", data.label);
  if (root.dataset.ready === "1") return; // set up already: a rerun keeps the drawing
  root.dataset.ready = "1";

  const size = canvas.width;
  const ctx = canvas.getContext("2d");
  const paper = () => {
    ctx.fillStyle = "#000";
    ctx.fillRect(0, 0, size, size);
  };
  paper();
  const line = (from, to) => {
    ctx.strokeStyle = "#fff";
    ctx.lineWidth = data.stroke;
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.beginPath();
    ctx.moveTo(from[0], from[1]);
    ctx.lineTo(to[0], to[1]);
    ctx.stroke();
  };
  const send = () => setTriggerValue("drawing", canvas.toDataURL("image/png"));
  const at = (event) => {
    const box = canvas.getBoundingClientRect();
    return [(event.clientX - box.left) * size / box.width,
            (event.clientY - box.top) * size / box.height];
  };

  let last = null; // the pen's last point while a stroke is drawn
  canvas.addEventListener("pointerdown", (event) => {
    canvas.setPointerCapture(event.pointerId);
    last = at(event);
    line(last, last); // a click leaves a dot
  });
  canvas.addEventListener("pointermove", (event) => {
    if (last === null) return;
    const point = at(event);
    line(last, point);
    last = point;
  });
  const end = () => {
    if (last === null) return;
    last = null;
    send();
  };
  canvas.addEventListener("pointerup", end);
  canvas.addEventListener("pointercancel", end);

  // The keyboard pen: a cross-hair that the arrows move; while it is down it draws.
  const pen = { x: size / 2, y: size / 2, down: false, drew: false };
  const step = size / 28;
  canvas.addEventListener("keydown", (event) => {
    const moves = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
    if (event.key in moves) {
      const [dx, dy] = moves[event.key];
      const from = [pen.x, pen.y];
      pen.x = Math.min(size, Math.max(0, pen.x + dx * step));
      pen.y = Math.min(size, Math.max(0, pen.y + dy * step));
      if (pen.down) {
        line(from, [pen.x, pen.y]);
        pen.drew = true;
      }
    } else if (event.key === " " || event.key === "Enter") {
      pen.down = !pen.down;
      if (pen.down) {
        line([pen.x, pen.y], [pen.x, pen.y]);
        pen.drew = true;
      } else if (pen.drew) {
        pen.drew = false;
        send();
      }
    } else if (event.key === "Delete" || event.key === "Backspace") {
      clear.click();
    } else {
      return;
    }
    event.preventDefault();
  });
  clear.addEventListener("click", () => {
    paper();
    last = null;
    pen.down = false;
    pen.drew = false;
    setTriggerValue("cleared", true);
  });
}
