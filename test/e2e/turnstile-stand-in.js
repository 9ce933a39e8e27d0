// A stand-in for https://challenges.cloudflare.com/turnstile/v0/api.js in the browser test (the machine has no
// internet): the same explicit-render API the storefront calls (turnstile.render / reset), drawing a checkbox that
// behaves like the test site key's widget: ticking it hands the page a token. Tokens start with "pass", which
// the fake siteverify accepts once, like real single-use tokens.
(() => {
  const widgets = new Map();
  let next = 0;
  window.turnstile = {
    render(container, options) {
      const id = `stand-in-${++next}`;
      const label = document.createElement('label');
      label.style.cssText = 'display:flex;gap:.6rem;align-items:center;padding:.8rem;border:1px solid #ccc;border-radius:6px;';
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.addEventListener('change', () => {
        if (box.checked) options.callback?.(`pass-e2e-${crypto.randomUUID()}`);
        else options['expired-callback']?.();
      });
      label.append(box, 'Verify you are human (test widget)');
      container.replaceChildren(label);
      widgets.set(id, box);
      return id;
    },
    reset(id) {
      const box = widgets.get(id);
      if (box) box.checked = false;
    },
  };
})();
