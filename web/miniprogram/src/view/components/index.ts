// Registers every built-in component widget: the view core imports this once.
import "./basic";
import "./richtext";
import "./media";
import "./forms";
import "./picker";
import "./scroll";

export { componentStyles } from "./style";
