/** A tiny helper to build DOM nodes: h("button", {onclick, class: "x"}, "text", child). */

export function h(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") node.addEventListener(name.slice(2), value);
    else if (name === "style" && typeof value === "object") Object.assign(node.style, value);
    else if (value === true) node.setAttribute(name, "");
    else node.setAttribute(name, String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/**
 * Replace a node's children, keeping the keyboard focus: a live redraw must not throw a
 * keyboard user back to the top of the page. The focused element's `data-key` names the one
 * to focus in the new children.
 */
export function redraw(node, ...children) {
  const focused = document.activeElement;
  const key = focused && node.contains(focused) ? focused.dataset.key : undefined;
  fill(node, ...children);
  if (key) node.querySelector(`[data-key="${CSS.escape(key)}"]`)?.focus();
  return node;
}

/** Replace a node's children. */
export function fill(node, ...children) {
  node.replaceChildren();
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}
