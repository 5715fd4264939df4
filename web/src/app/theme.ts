import { createTheme } from "@mantine/core";

export const theme = createTheme({
  primaryColor: "blue",
  // Darker shades by default: text on light badges and buttons keeps WCAG AA contrast.
  primaryShade: 8,
  // Text on filled badges and buttons is black or white, whichever contrasts with the colour.
  autoContrast: true,
  fontFamily: "system-ui, -apple-system, 'Segoe UI', 'Noto Sans CJK SC', 'Noto Sans SC', sans-serif",
});
