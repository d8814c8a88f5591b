//! Moving keyboard focus after the view changes: to a step's heading, or to
//! the first row a "Load more" just added.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// Moves focus to the element with `id` once the view has rendered.
pub fn focus_after_render(id: String) {
    request_animation_frame(move || {
        if let Some(element) = document()
            .get_element_by_id(&id)
            .and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = element.focus();
        }
    });
}
