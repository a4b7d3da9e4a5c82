// Small helpers: every value from the run goes in as text (textContent), never as HTML.

/** An element with attributes and children (strings become text nodes). */
export function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== undefined && value !== null && value !== false) node.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null) continue;
    node.append(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
  return node;
}

export function setText(id, text) {
  const node = document.getElementById(id);
  if (node !== null) node.textContent = text;
}

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
export const formatCount = (value) => (value === null || value === undefined ? '–' : integer.format(value));
export const formatPercent = (share) => (share === null || share === undefined || Number.isNaN(share) ? '–' : `${(share * 100).toFixed(1)} %`);
export const formatDollars = (value) => (value === null || value === undefined ? '–' : `$${value.toFixed(value < 1 ? 4 : 2)}`);

export function formatDuration(seconds) {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '–';
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

export function formatAgo(iso, nowMs) {
  const seconds = (nowMs - Date.parse(iso)) / 1000;
  if (!Number.isFinite(seconds)) return '–';
  return seconds < 1 ? 'just now' : `${formatDuration(seconds)} ago`;
}
