/**
 * Hands a file to the person: the desktop app's save dialog (through the preload bridge), or in a
 * browser a download of a Blob URL. Answers where it went, or null when the dialog was cancelled.
 */
export async function saveFile(defaultName: string, contents: string, type: string): Promise<string | null> {
  const bridge = window.rosterDesktop;
  if (bridge) return bridge.files.save({ defaultName, contents });
  const url = URL.createObjectURL(new Blob([contents], { type }));
  try {
    const link = document.createElement('a');
    link.href = url;
    link.download = defaultName;
    link.rel = 'noopener';
    document.body.append(link);
    link.click();
    link.remove();
  } finally {
    // The download has its own reference by now; a short delay keeps old browsers happy.
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
  return defaultName;
}
