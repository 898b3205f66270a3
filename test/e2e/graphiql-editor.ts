import type { Locator, Page } from 'playwright-core';

/** The text of GraphiQL's editor models whose URI ends with `suffix` (Monaco, which GraphiQL exposes), joined. */
export async function editorText(page: Page, suffix: string): Promise<string> {
  const texts = await page.evaluate((end) => {
    const monaco = (
      globalThis as {
        __MONACO?: { editor: { getModels(): { uri: { path: string }; getValue(): string }[] } };
      }
    ).__MONACO;
    return (monaco?.editor.getModels() ?? [])
      .filter((model) => model.uri.path.endsWith(end))
      .map((model) => model.getValue());
  }, suffix);
  return texts.join('');
}

/** Types `text` into a Monaco editor as a person would, over whatever it held. */
export async function typeInto(page: Page, editor: Locator, text: string): Promise<void> {
  await editor.click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Backspace');
  // Monaco closes brackets and quotes as they are opened: type the openings and content, and let
  // it close them (what it shows is checked against the model afterwards).
  await page.keyboard.type(text);
  await page.keyboard.press('Escape'); // the completion list, which would cover the run button
}
