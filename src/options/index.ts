// The options page: the user's masking settings (core/secrets.ts MASK_SETTINGS_KEY), stored in
// storage.local through the panel's platform seam; open panels pick a change up at once.
import { MASK_SETTINGS_KEY, readMaskSettings } from "../core/secrets";
import { createBrowserPanelPlatform } from "../platform/panel";

const platform = createBrowserPanelPlatform();
const form = document.getElementById("form") as HTMLFormElement;
const extra = document.getElementById("extra") as HTMLTextAreaElement;
const plain = document.getElementById("plain") as HTMLTextAreaElement;
const status = document.getElementById("status") as HTMLOutputElement;

const lines = (t: string) => t.split(/\r?\n/).map((s) => s.trim()).filter(Boolean);

void platform.storageGet([MASK_SETTINGS_KEY]).then((r) => {
  const s = readMaskSettings(r[MASK_SETTINGS_KEY]);
  extra.value = s.extra.join("\n");
  plain.value = s.plain.join("\n");
});

form.addEventListener("submit", (e) => {
  e.preventDefault();
  const wanted = { extra: lines(extra.value), plain: lines(plain.value) };
  const s = readMaskSettings(wanted);
  const dropped = wanted.extra.length + wanted.plain.length - s.extra.length - s.plain.length;
  void platform.storageSet({ [MASK_SETTINGS_KEY]: s }).then(() => {
    extra.value = s.extra.join("\n");
    plain.value = s.plain.join("\n");
    status.textContent = dropped > 0 ? `Saved; ${dropped} line(s) that are not header names were left out.` : "Saved.";
  });
});
