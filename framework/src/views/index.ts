export { View } from "./View";
export { ViewFactory, templatePath, type ViewComposer, type ViewOptions } from "./ViewFactory";
