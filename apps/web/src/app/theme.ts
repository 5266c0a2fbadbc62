/**
 * Ant Design tokens tuned for WCAG 2.2 AA contrast: antd's default primary (#1677ff) and secondary text
 * (45 % black) fall below 4.5:1 on white, so both are darkened. Motion is switched off when the user asks
 * for reduced motion.
 */
import type { ThemeConfig } from 'antd';

export function appTheme(reducedMotion: boolean): ThemeConfig {
  return {
    token: {
      colorPrimary: '#0b4fb3',
      colorLink: '#0b4fb3',
      colorError: '#b42318',
      colorTextSecondary: '#555555',
      colorTextTertiary: '#555555',
      colorTextDescription: '#555555',
      colorTextPlaceholder: '#6b6b6b',
      borderRadius: 6,
      fontFamily: "system-ui, -apple-system, 'PingFang SC', 'Hiragino Sans GB', 'Microsoft YaHei', 'Noto Sans CJK SC', sans-serif",
      motion: !reducedMotion,
    },
  };
}
