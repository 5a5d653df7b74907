// Line icons drawn on a 24-unit grid, stroked with the current text colour. Decorative: the button that holds one
// carries the label (aria-label), so every icon is aria-hidden.
const paths = {
  plus: 'M12 5v14M5 12h14',
  menu: 'M4 6h16M4 12h16M4 18h16',
  close: 'M6 6l12 12M18 6L6 18',
  send: 'M12 19V5M5.5 11.5L12 5l6.5 6.5',
  stop: 'M7 7h10v10H7z',
  copy: 'M9 9h10v10H9zM5 15V5h10',
  check: 'M5 12.5l4.5 4.5L19 7',
  edit: 'M4 20h4L19 9l-4-4L4 16zM13.5 6.5l4 4',
  trash: 'M4 7h16M9 7V4h6v3M6.5 7l1 13h9l1-13',
  search: 'M10.5 17a6.5 6.5 0 1 0 0-13 6.5 6.5 0 0 0 0 13zM15.5 15.5L20 20',
  refresh: 'M19 12a7 7 0 1 1-2.05-4.95M19 4.5V9h-4.5',
  thumbUp: 'M7 10v10H4V10zM7 10l4-7c1.7 0 2.5 1.2 2.2 2.8L12.6 9H19a1.6 1.6 0 0 1 1.6 1.9l-1.5 7.6A2 2 0 0 1 17.2 20H7',
  thumbDown: 'M7 14V4H4v10zM7 14l4 7c1.7 0 2.5-1.2 2.2-2.8l-.6-3.2H19a1.6 1.6 0 0 0 1.6-1.9l-1.5-7.6A2 2 0 0 0 17.2 4H7',
  logout: 'M15 4h4v16h-4M10 8l-4 4 4 4M6 12h10',
  chat: 'M4 5h16v11H9l-5 4z',
  book: 'M5 4h9a3 3 0 0 1 3 3v13H8a3 3 0 0 1-3-3zM5 17a3 3 0 0 1 3-3h9',
  alert: 'M12 4l9 16H3zM12 10v4M12 17v.5',
  more: 'M5 12h.01M12 12h.01M19 12h.01',
  settings: 'M4 7h9M17 7h3M4 17h3M11 17h9M15 5v4M9 15v4',
  image: 'M4 5h16v14H4zM4 16l5-5 4 4 3-3 4 4M15.5 9.5h.01',
};

/** An icon by name; size in px. */
export function Icon({ name, size = 18 }) {
  return (
    <svg class="icon" width={size} height={size} viewBox="0 0 24 24" fill="none" stroke="currentColor"
      stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" focusable="false">
      <path d={paths[name]} />
    </svg>
  );
}
