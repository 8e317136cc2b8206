require('./.config/jest-setup.js');

// Combobox sizes its menu by measuring labels on a canvas, which jsdom does not have.
HTMLCanvasElement.prototype.getContext = () => ({
  font: '',
  measureText: (text) => ({ width: String(text).length * 7 }),
});

// i18next (inside @grafana/i18n) prints an advertisement on init; it is not a test finding.
const info = console.info;
console.info = (...args) => {
  if (typeof args[0] === 'string' && args[0].includes('i18next is made possible')) {
    return;
  }
  info(...args);
};
